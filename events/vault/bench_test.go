package vault_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// BenchmarkOpen measures what opening one citizen's sealed words costs the
// read model, as a rebuild opens them: each text once, four texts a person: Vault.Open (look up the author in the key store's index,
// unwrap the person's key with the master key, check the author
// reference, open the text) against, in the same run, the AES-GCM open of
// the same text with the key at hand, the floor of any sealing. It
// reports both and their ratio.
//
//	go test -run '^$' -bench Open -benchtime 1000x ./events/vault/
func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "vault.db")
	v := openAt(b, path)
	const people, each = 250, 4
	type sealedText struct {
		author events.AuthorRef
		entity string
		sealed events.Sealed
	}
	var texts []sealedText
	for i := range people {
		ref, err := v.Put(ctx, events.Person{DisplayName: fmt.Sprintf("Δημότης %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		for j := range each {
			entity := events.RequestEntity(fmt.Sprintf("r-%d-%d", i, j))
			author, sealed, err := v.Seal(ctx, ref, entity, "Αίτημα για αντίγραφο της μελέτης ανάπλασης της πλατείας.")
			if err != nil {
				b.Fatal(err)
			}
			texts = append(texts, sealedText{author, entity, sealed[0]})
		}
	}
	// Texts in the order of the log: a person's four are apart.
	slices.SortFunc(texts, func(a, b sealedText) int {
		return strings.Compare(a.entity[len(a.entity)-1:], b.entity[len(b.entity)-1:])
	})
	block, _ := aes.NewCipher(make([]byte, 32))
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	plain := gcm.Seal(nil, nonce, []byte("Αίτημα για αντίγραφο της μελέτης ανάπλασης της πλατείας."), []byte(texts[0].entity))
	var vaultTime, floorTime time.Duration
	for i := 0; b.Loop(); i++ {
		s := texts[i%len(texts)]
		began := time.Now()
		if _, err := v.Open(ctx, s.author, s.entity, s.sealed); err != nil {
			b.Fatal(err)
		}
		vaultTime += time.Since(began)
		began = time.Now()
		if _, err := gcm.Open(nil, nonce, plain, []byte(texts[0].entity)); err != nil {
			b.Fatal(err)
		}
		floorTime += time.Since(began)
	}
	n := float64(b.N)
	b.ReportMetric(float64(vaultTime.Nanoseconds())/n, "vault_ns/open")
	b.ReportMetric(float64(floorTime.Nanoseconds())/n, "aes_gcm_ns/open")
	b.ReportMetric(float64(vaultTime)/float64(floorTime), "ratio")
	b.ReportMetric(0, "ns/op")
}
