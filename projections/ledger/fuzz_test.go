package ledger

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// FuzzOpenCheckpoint feeds checkpoint files as an auditor might receive
// them: nothing may panic, and whatever opens must be exactly what the
// key signed.
func FuzzOpenCheckpoint(f *testing.F) {
	k := testKey(f, testOrigin)
	good, err := k.Sign(Checkpoint{Origin: testOrigin, Size: 42, Root: tlog.RecordHash([]byte("x"))})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good.Note)
	f.Add([]byte(testOrigin + "\n42\nAAAA\n\n— " + testOrigin + " AAAA\n"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := OpenCheckpoint(msg, k.Verifier)
		if err != nil {
			return
		}
		if c.Origin != testOrigin || ParseCheckpointMust(t, c.Text()) != c.Checkpoint || string(c.Note) != string(msg) {
			t.Fatalf("opened %q as %+v", msg, c.Checkpoint)
		}
	})
}

func ParseCheckpointMust(t *testing.T, text string) Checkpoint {
	t.Helper()
	c, err := ParseCheckpoint(text)
	if err != nil {
		t.Fatalf("the text of an opened checkpoint does not parse: %v", err)
	}
	return c
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add(testOrigin + "\n42\n" + tlog.RecordHash(nil).String() + "\n")
	f.Add("o\n-1\nx\n")
	f.Add("o\n007\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if c.Text() != text {
			t.Fatalf("%q parses as %+v, which reads %q", text, c, c.Text())
		}
	})
}
