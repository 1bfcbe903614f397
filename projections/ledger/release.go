package ledger

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pnyx-civic/pnyx/events"
)

// The ledger's part of an export release, in the folder ReleaseDir of the
// release (docs/LEDGER.md says what each file holds):
//
//	ledger/events.ndjson        every event from the first, one change-feed line each
//	ledger/checkpoint           the checkpoint of exactly those events, signed for the release
//	ledger/checkpoints/SIZE     every earlier checkpoint, one signed note a file
//	ledger/key                  the verifier key (check it against the published one)
const (
	ReleaseDir        = "ledger"
	ReleaseEvents     = "events.ndjson"
	ReleaseCheckpoint = "checkpoint"
	ReleaseHistory    = "checkpoints"
	ReleaseKey        = "key"
)

// SignAt returns the checkpoint at tree size size, signing it first when
// none was. It returns an invalid error when size is not in 1 to the
// tree's size.
func (l *Ledger) SignAt(ctx context.Context, size int64) (SignedCheckpoint, error) {
	if size < 1 {
		return SignedCheckpoint{}, events.Invalidf("tree size %d: want at least 1", size)
	}
	root, err := l.TreeHash(ctx, size)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	pos, err := l.PositionOf(ctx, size-1)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	if err := l.sign(ctx, Tree{Size: size, Position: pos, Root: root}); err != nil {
		return SignedCheckpoint{}, err
	}
	return l.CheckpointAt(ctx, size)
}

// releasePage is how many events WriteRelease reads at once: its memory,
// whatever the length of the log.
const releasePage = 1000

// WriteRelease writes the ledger's part of a release of the log up to
// position upTo into release/ledger: the events, a checkpoint of exactly
// them (waiting for the ledger to reach upTo), the earlier checkpoints and
// the key. The release folder must exist; ledger/ in it must not.
func (l *Ledger) WriteRelease(ctx context.Context, release string, upTo events.Position) (SignedCheckpoint, error) {
	if err := l.WaitFor(ctx, upTo); err != nil {
		return SignedCheckpoint{}, err
	}
	dir := filepath.Join(release, ReleaseDir)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return SignedCheckpoint{}, events.Errorf(events.CodeConflict, "release ledger folder: %v", err)
	}
	f, err := os.Create(filepath.Join(dir, ReleaseEvents))
	if err != nil {
		return SignedCheckpoint{}, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	var after events.Position
	for after < upTo {
		evs, err := l.log.ReadAll(ctx, events.ReadAllOptions{After: after, Limit: releasePage})
		if err != nil {
			return SignedCheckpoint{}, err
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if ev.Position > upTo {
				break
			}
			b, err := json.Marshal(ev)
			if err != nil {
				return SignedCheckpoint{}, err
			}
			w.Write(append(b, '\n'))
			n++
			after = ev.Position
		}
		if evs[len(evs)-1].Position > upTo {
			break
		}
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return SignedCheckpoint{}, err
	}
	if n == 0 {
		return SignedCheckpoint{}, events.Errorf(events.CodeNotFound, "the log holds no events up to position %d", upTo)
	}
	c, err := l.SignAt(ctx, n)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, ReleaseCheckpoint), c.Note, 0o644); err != nil {
		return SignedCheckpoint{}, err
	}
	if err := os.Mkdir(filepath.Join(dir, ReleaseHistory), 0o755); err != nil {
		return SignedCheckpoint{}, err
	}
	all, err := l.Checkpoints(ctx)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	for _, msg := range all {
		body, err := ParseCheckpoint(noteText(msg))
		if err != nil || body.Size > n {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, ReleaseHistory, strconv.FormatInt(body.Size, 10)), msg, 0o644); err != nil {
			return SignedCheckpoint{}, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ReleaseKey), []byte(l.key.VerifierKey+"\n"), 0o644); err != nil {
		return SignedCheckpoint{}, err
	}
	return c, nil
}

// Release is the ledger's part of a release as read from its folder.
type Release struct {
	Dir         string
	Checkpoints [][]byte
	// Key is the verifier key the release carries: what the release says
	// of itself, to be checked against the key the municipality publishes.
	Key string
}

// OpenRelease reads the checkpoints and key of the release in dir. It
// returns an invalid error naming what is missing when dir holds no
// ledger part of a release.
func OpenRelease(dir string) (Release, error) {
	ld := filepath.Join(dir, ReleaseDir)
	r := Release{Dir: ld}
	if _, err := os.Stat(filepath.Join(ld, ReleaseEvents)); err != nil {
		return Release{}, events.Invalidf("release %s: no %s/%s: %v", dir, ReleaseDir, ReleaseEvents, pathErr(err))
	}
	last, err := os.ReadFile(filepath.Join(ld, ReleaseCheckpoint))
	if err != nil {
		return Release{}, events.Invalidf("release %s: no %s/%s: %v", dir, ReleaseDir, ReleaseCheckpoint, pathErr(err))
	}
	r.Checkpoints = append(r.Checkpoints, last)
	entries, err := os.ReadDir(filepath.Join(ld, ReleaseHistory))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Release{}, events.Invalidf("release %s: %v", dir, pathErr(err))
	}
	for _, e := range entries {
		msg, err := os.ReadFile(filepath.Join(ld, ReleaseHistory, e.Name()))
		if err != nil {
			return Release{}, events.Invalidf("release %s: %v", dir, pathErr(err))
		}
		r.Checkpoints = append(r.Checkpoints, msg)
	}
	if key, err := os.ReadFile(filepath.Join(ld, ReleaseKey)); err == nil {
		r.Key = string(bytes.TrimSpace(key))
	}
	return r, nil
}

// Events reads ledger/events.ndjson in order. A line that is not a
// recorded event is an invalid error naming the line: the release is
// damaged or not a release.
func (r Release) Events(ctx context.Context, yield func(events.RecordedEvent) error) error {
	f, err := os.Open(filepath.Join(r.Dir, ReleaseEvents))
	if err != nil {
		return events.Invalidf("release: %v", pathErr(err))
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 4*events.DefaultMaxEventBytes+64<<10)
	for line := 1; sc.Scan(); line++ {
		if line%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var ev events.RecordedEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.Position == 0 {
			return &DivergedError{Index: -1, Reason: fmt.Sprintf("%s line %d is not a recorded event: the release is damaged", ReleaseEvents, line)}
		}
		if err := yield(ev); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &DivergedError{Index: -1, Reason: fmt.Sprintf("%s cannot be read to its end: %v", ReleaseEvents, err)}
	}
	return nil
}

// pathErr keeps the reason of a file error without repeating its path.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
