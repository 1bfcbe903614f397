package events

import (
	"fmt"
	"strings"
)

// Money is an amount in integer cents of an ISO 4217 currency. Never a
// float: public spending must add up to the cent.
type Money struct {
	Cents    int64  `json:"cents"`
	Currency string `json:"currency"`
}

// EUR returns an amount in euro cents.
func EUR(cents int64) Money { return Money{Cents: cents, Currency: "EUR"} }

// Validate checks a currency of three letters A to Z and a non-negative
// amount.
func (m Money) Validate() error {
	if len(m.Currency) != 3 || strings.Trim(m.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return Invalidf("currency %q: want a three-letter ISO 4217 code", m.Currency)
	}
	if m.Cents < 0 {
		return Invalidf("amount %d cents is negative", m.Cents)
	}
	return nil
}

// Add returns m+o; both must share a currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency && m.Currency != "" && o.Currency != "" {
		return Money{}, Invalidf("cannot add %s to %s", o.Currency, m.Currency)
	}
	cur := m.Currency
	if cur == "" {
		cur = o.Currency
	}
	return Money{Cents: m.Cents + o.Cents, Currency: cur}, nil
}

// String formats the amount as "1234.56 EUR".
func (m Money) String() string {
	sign := ""
	c := m.Cents
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, c/100, c%100, m.Currency)
}
