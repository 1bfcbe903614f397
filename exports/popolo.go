package exports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/pnyx-civic/pnyx/opendata"
)

// PopoloFile is the Popolo export in a release.
const PopoloFile = "popolo.json"

// writePopolo writes the Popolo export of the snapshot's council data,
// item by item as the datasets are read: its memory does not grow with
// the council's record.
func writePopolo(ctx context.Context, dir string, rows Rows) (ManifestFile, error) {
	f, err := os.Create(filepath.Join(dir, PopoloFile))
	if err != nil {
		return ManifestFile{}, err
	}
	defer f.Close()
	ch := &countingHash{w: f, h: sha256.New()}
	p := opendata.NewPopoloWriter(ch)
	for _, part := range opendata.PopoloParts {
		if err := p.Part(part.Key); err != nil {
			return ManifestFile{}, err
		}
		for _, name := range part.Datasets {
			if part.Key == "vote_events" {
				err = writeVoteEvents(ctx, rows, p)
			} else {
				var cols []string
				err = rows.ScanDataset(ctx, name, func(c []string) error { cols = c; return nil }, func(vals []any) error {
					if item := opendata.PopoloItem(part.Key, name, cols, vals); item != nil {
						return p.Item(item)
					}
					return nil
				})
			}
			if err != nil {
				return ManifestFile{}, err
			}
		}
	}
	if err := p.Close(); err != nil {
		return ManifestFile{}, err
	}
	if err := f.Sync(); err != nil {
		return ManifestFile{}, err
	}
	return ManifestFile{Path: PopoloFile, Format: "popolo", MediaType: "application/json", Bytes: ch.n, SHA256: hex.EncodeToString(ch.h.Sum(nil))}, nil
}

// voteBallots are the ballots of one vote.
type voteBallots struct {
	voteID string
	votes  []opendata.PopoloVote
}

// writeVoteEvents writes each vote event with its ballots: votes and
// ballots are both in vote id order, so a second scan of the same
// snapshot, on its own goroutine, hands over the ballots of one vote at a
// time.
func writeVoteEvents(ctx context.Context, rows Rows, p *opendata.PopoloWriter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	groups := make(chan voteBallots, 8)
	scanned := make(chan error, 1)
	go func() {
		defer close(groups)
		var cols []string
		var g voteBallots
		send := func() bool {
			if g.votes == nil {
				return true
			}
			select {
			case groups <- g:
				g = voteBallots{}
				return true
			case <-ctx.Done():
				return false
			}
		}
		err := rows.ScanDataset(ctx, "ballots", func(c []string) error { cols = c; return nil }, func(vals []any) error {
			v := opendata.PopoloBallot(cols, vals)
			if v.VoteEventID != g.voteID && !send() {
				return ctx.Err()
			}
			g.voteID = v.VoteEventID
			g.votes = append(g.votes, v)
			return nil
		})
		if err == nil && !send() {
			err = ctx.Err()
		}
		scanned <- err
	}()
	var next *voteBallots
	pull := func(id string) []opendata.PopoloVote {
		for {
			if next == nil {
				g, ok := <-groups
				if !ok {
					return nil
				}
				next = &g
			}
			switch {
			case next.voteID < id: // ballots of no vote: none to attach
				next = nil
			case next.voteID == id:
				vs := next.votes
				next = nil
				return vs
			default:
				return nil
			}
		}
	}
	var cols []string
	err := rows.ScanDataset(ctx, "votes", func(c []string) error { cols = c; return nil }, func(vals []any) error {
		item := opendata.PopoloItem("vote_events", "votes", cols, vals)
		if vs := pull(item["id"].(string)); vs != nil {
			item["votes"] = vs
		}
		return p.Item(item)
	})
	if err != nil {
		cancel() // end the scan of ballots early
	}
	for range groups { // ballots after the last vote, or the rest of a cancelled scan
	}
	if serr := <-scanned; err == nil {
		err = serr
	}
	return err
}
