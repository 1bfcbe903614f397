// Package ocds decodes Open Contracting Data Standard files (1.0 and 1.1)
// into the commands that record each contracting process in Pnyx: release
// packages, record packages (with embedded releases, or a compiled release
// where the releases are only linked), single releases and JSON Lines of
// any of them. A process's releases may arrive in any order and anywhere
// in the input: the decoder reads them all first into a spill on disk,
// keyed by ocid, in constant memory, then compiles each process by the
// standard's merge rules (opendata.CompileOCDS) release by release and
// records, step by step, what each release added (the plan, the tender,
// its amendments, bids, the award, the contract, its amendments, payments,
// the cancellation or completion). It is the inverse of the opendata
// package's mapping, and reads Pnyx's own releases back exactly.
package ocds

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/internal/source"
	"github.com/pnyx-civic/pnyx/importer/internal/spill"
)

// Options of the mapping.
type Options struct {
	// Body is the buyer body of every process; empty means the buyer's
	// party id (a Pnyx body's "body-<id>", or any id).
	Body string
	// SpillDir is where the spill's temporary file goes; "" means the
	// system's temporary directory.
	SpillDir string
}

// Decoder reads OCDS input and returns one record per contracting process.
type Decoder struct {
	ctx    context.Context
	opts   Options
	in     []io.Reader
	spill  *spill.Spill
	groups *spill.Groups
	// rejected are the releases refused while reading, by ocid ("" for
	// those without one).
	rejected map[string][]string
	orphans  []string
	read     int
}

var _ importer.Decoder = (*Decoder)(nil)

// NewDecoder reads the inputs in turn (files of a directory, say). Close
// it to remove its spill.
func NewDecoder(ctx context.Context, opts Options, in ...io.Reader) *Decoder {
	return &Decoder{ctx: ctx, opts: opts, in: in, rejected: map[string][]string{}}
}

// Close removes the spill.
func (d *Decoder) Close() error {
	if d.groups != nil {
		d.groups.Close()
	}
	if d.spill != nil {
		return d.spill.Close()
	}
	return nil
}

// Releases is the number of releases read into the spill.
func (d *Decoder) Releases() int { return d.read }

// Next returns the next process. The first call reads every input.
func (d *Decoder) Next() (importer.Record, error) {
	if d.spill == nil {
		sp, err := spill.New(d.ctx, d.opts.SpillDir)
		if err != nil {
			return importer.Record{}, err
		}
		d.spill = sp
		for i, r := range d.in {
			if err := d.readAll(r); err != nil {
				return importer.Record{}, fmt.Errorf("input %d: %w", i+1, err)
			}
		}
		if d.groups, err = d.spill.Groups(d.ctx); err != nil {
			return importer.Record{}, err
		}
	}
	if len(d.orphans) > 0 {
		reason := d.orphans[0]
		d.orphans = d.orphans[1:]
		return importer.Record{Kind: "release", SourceID: "(no ocid)", Refused: reason}, nil
	}
	ocid, items, ok, err := d.groups.Next()
	if err != nil {
		return importer.Record{}, err
	}
	if !ok {
		return importer.Record{}, io.EOF
	}
	return d.process(ocid, items), nil
}

// readAll streams one input into the spill: a release package, a record
// package, a release, a record, or a sequence of them (JSON Lines).
func (d *Decoder) readAll(r io.Reader) error {
	br := bufio.NewReaderSize(r, 256<<10)
	if source.FirstByte(br) == 0 {
		return events.Invalidf("ocds: the input is empty")
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return events.Invalidf("ocds: not JSON: %v", err)
		}
		switch tok {
		case json.Delim('{'):
			if err := d.object(dec); err != nil {
				return err
			}
		case json.Delim('['): // a bare array of releases or records
			if err := d.array(dec, ""); err != nil {
				return err
			}
		default:
			return events.Invalidf("ocds: want an object or an array, found %v", tok)
		}
	}
}

// object reads a top-level object whose '{' was read: a package, whose
// releases or records it streams one by one, or a single release or
// record, which it keeps whole.
func (d *Decoder) object(dec *json.Decoder) error {
	rest := map[string]json.RawMessage{}
	streamed := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return events.Invalidf("ocds: not JSON: %v", err)
		}
		key, _ := tok.(string)
		if key == "releases" || key == "records" {
			t, err := dec.Token()
			if err != nil {
				return events.Invalidf("ocds: not JSON: %v", err)
			}
			if t == json.Delim('[') {
				streamed = true
				if err := d.array(dec, key); err != nil {
					return err
				}
				continue
			}
			if t != nil { // releases that are not a list
				return events.Invalidf("ocds: %s is not a list", key)
			}
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return events.Invalidf("ocds: not JSON: %v", err)
		}
		if !streamed || len(rest) < 64 {
			rest[key] = v
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return events.Invalidf("ocds: not JSON: %v", err)
	}
	if streamed {
		return nil
	}
	b, err := json.Marshal(rest)
	if err != nil {
		return err
	}
	if _, isRecord := rest["compiledRelease"]; isRecord {
		return d.record(b)
	}
	return d.release(b, "")
}

// array streams the items of a list whose '[' was read: releases, or
// records when key is "records" (or, for a bare list, whatever each is).
func (d *Decoder) array(dec *json.Decoder, key string) error {
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return events.Invalidf("ocds: not JSON: %v", err)
		}
		var err error
		switch {
		case key == "records" || (key == "" && bytes.Contains(v, []byte(`"compiledRelease"`)) && !bytes.Contains(v, []byte(`"tag"`))):
			err = d.record(v)
		default:
			err = d.release(v, "")
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.Token() // ']'
	if err != nil {
		return events.Invalidf("ocds: not JSON: %v", err)
	}
	return nil
}

// spilled is what the spill keeps of a release: the release, and whether
// it is a record's compiled release (used only when the record's releases
// are linked, not embedded).
type spilled struct {
	Compiled bool            `json:"compiled,omitempty"`
	Release  json.RawMessage `json:"release"`
}

func (d *Decoder) release(b json.RawMessage, ocidOf string) error {
	var head struct {
		OCID source.Text `json:"ocid"`
		ID   source.Text `json:"id"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.OCID == "" {
		if ocidOf == "" {
			d.orphans = append(d.orphans, "a release without an ocid")
			return nil
		}
		head.OCID = source.Text(ocidOf)
	}
	return d.add(string(head.OCID), spilled{Release: b})
}

func (d *Decoder) add(ocid string, s spilled) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	d.read++
	return d.spill.Add(d.ctx, ocid, b)
}

// record spills a record's embedded releases, or its compiled release when
// the releases are only linked (a linked release is {url, date, tag}).
func (d *Decoder) record(b json.RawMessage) error {
	var rec struct {
		OCID            source.Text       `json:"ocid"`
		Releases        []json.RawMessage `json:"releases"`
		CompiledRelease json.RawMessage   `json:"compiledRelease"`
	}
	if err := json.Unmarshal(b, &rec); err != nil || rec.OCID == "" {
		d.orphans = append(d.orphans, "a record without an ocid")
		return nil
	}
	embedded := 0
	for _, r := range rec.Releases {
		var probe struct {
			OCID source.Text `json:"ocid"`
			URL  source.Text `json:"url"`
		}
		if json.Unmarshal(r, &probe) != nil {
			continue
		}
		if probe.URL != "" && probe.OCID == "" {
			continue // linked
		}
		embedded++
		if err := d.release(r, string(rec.OCID)); err != nil {
			return err
		}
	}
	switch {
	case embedded > 0:
		return nil
	case len(rec.CompiledRelease) > 0 && string(rec.CompiledRelease) != "null":
		return d.add(string(rec.OCID), spilled{Compiled: true, Release: rec.CompiledRelease})
	}
	d.rejected[string(rec.OCID)] = append(d.rejected[string(rec.OCID)], "record with linked releases and no compiled release: fetch the releases first")
	return d.add(string(rec.OCID), spilled{})
}
