package events

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// A receipt is what a citizen who submitted a comment on the web keeps to
// withdraw it later: 256 random bits, shown to them once. The log keeps
// only its SHA-256 (ConsultationCommentSubmitted.ReceiptSHA256), which
// names no one and links nothing, as an access token's hash does; the
// receipt itself is never stored, logged or answered again.

const (
	receiptPrefix = "pnyx-receipt-"
	receiptChars  = len(receiptPrefix) + 64
)

// NewReceipt draws a new receipt and returns it with its hash, the value
// of SubmitComment.ReceiptSHA256.
func NewReceipt() (receipt, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	receipt = receiptPrefix + hex.EncodeToString(b[:])
	return receipt, ReceiptHash(receipt)
}

// ReceiptHash is the SHA-256 of a receipt, in hex.
func ReceiptHash(receipt string) string {
	sum := sha256.Sum256([]byte(receipt))
	return hex.EncodeToString(sum[:])
}

func validReceipt(r string) bool {
	if len(r) != receiptChars || !strings.HasPrefix(r, receiptPrefix) {
		return false
	}
	_, err := hex.DecodeString(r[len(receiptPrefix):])
	return err == nil
}

func validReceiptHash(h string) bool {
	b, err := hex.DecodeString(h)
	return err == nil && len(b) == sha256.Size && h == strings.ToLower(h)
}

// receiptMatches compares a receipt with the hash kept, in constant time;
// a comment kept without a hash matches no receipt.
func receiptMatches(receipt, hash string) bool {
	if hash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(ReceiptHash(receipt)), []byte(hash)) == 1
}
