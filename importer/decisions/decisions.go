// Package decisions decodes a decision register's records (the shape of
// the Greek register, Diavgeia: ΑΔΑ, protocol number, subject, type, issue
// and publication dates, issuing unit, document and its SHA-256, and the
// decision a record corrects or revokes) from CSV or JSON Lines, into the
// commands that record them in Pnyx: each decision adopted under the
// imported exception and published under its ΑΔΑ, a correction as a new
// version, a revocation linked to the decision it revokes. The shape is
// documented in docs/IMPORTS.md.
package decisions

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/importer"
	"github.com/pnyx-civic/pnyx/importer/internal/source"
)

// Row is one record of the register, as CSV columns (by header name) or a
// JSON object. The JSON also accepts the Diavgeia API's field names.
type Row struct {
	ADA            source.Text `json:"ada"`
	ProtocolNumber source.Text `json:"protocol_number"`
	Subject        source.Text `json:"subject"`
	DecisionType   source.Text `json:"decision_type"`
	IssueDate      source.Text `json:"issue_date"`
	PublishedAt    source.Text `json:"publication_date"`
	IssuingUnit    source.Text `json:"issuing_unit"`
	DocumentURL    source.Text `json:"document_url"`
	DocumentSHA256 source.Text `json:"document_sha256"`
	Corrects       source.Text `json:"corrects"`
	Revokes        source.Text `json:"revokes"`
	Text           source.Text `json:"text"`
	LegalBasis     source.Text `json:"legal_basis"`
	Reason         source.Text `json:"reason"`
}

// diavgeiaRow holds the Diavgeia API's names of the same fields.
type diavgeiaRow struct {
	ProtocolNumber source.Text `json:"protocolNumber"`
	DecisionType   source.Text `json:"decisionTypeId"`
	IssueDate      source.Text `json:"issueDate"`
	PublishedAt    source.Text `json:"publishTimestamp"`
	IssuingUnit    source.Text `json:"organizationId"`
	DocumentURL    source.Text `json:"documentUrl"`
	DocumentSHA256 source.Text `json:"documentChecksum"`
	Corrects       source.Text `json:"correctedVersionId"`
}

// Options of the mapping.
type Options struct {
	// Body is the body every decision is recorded under; empty means the
	// record's issuing unit, which must then be an id.
	Body string
	// Location reads dates written without a zone; nil means
	// Europe/Athens.
	Location *time.Location
}

// Decoder reads register records one at a time, in constant memory.
type Decoder struct {
	opts Options
	csv  *csv.Reader
	head map[string]int
	json *json.Decoder
	line int
}

var _ importer.Decoder = (*Decoder)(nil)

// NewDecoder reads CSV (with a header row) or JSON Lines from r, by its
// first byte.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	if opts.Location == nil {
		loc, err := time.LoadLocation("Europe/Athens")
		if err != nil {
			loc = time.UTC
		}
		opts.Location = loc
	}
	br := bufio.NewReaderSize(r, 64<<10)
	d := &Decoder{opts: opts}
	switch source.FirstByte(br) {
	case '{':
		d.json = json.NewDecoder(br)
	case 0:
		return nil, events.Invalidf("decisions: the file is empty")
	default:
		d.csv = csv.NewReader(br)
		d.csv.FieldsPerRecord = -1
		d.csv.ReuseRecord = true
		head, err := d.csv.Read()
		if err != nil {
			return nil, events.Invalidf("decisions: the CSV header: %v", err)
		}
		d.head = map[string]int{}
		for i, h := range head {
			d.head[strings.ToLower(strings.TrimSpace(h))] = i
		}
		if _, ok := d.head["ada"]; !ok {
			return nil, events.Invalidf("decisions: the CSV header has no ada column")
		}
		d.line = 1
	}
	return d, nil
}

// Next returns the next record's commands.
func (d *Decoder) Next() (importer.Record, error) {
	row, err := d.row()
	if err != nil {
		var re refusal
		if errors.As(err, &re) {
			return importer.Record{Kind: "decision", SourceID: fmt.Sprintf("line %d", d.line), Refused: re.msg}, nil
		}
		return importer.Record{}, err
	}
	return d.record(row), nil
}

type refusal struct{ msg string }

func (r refusal) Error() string { return r.msg }

func (d *Decoder) row() (Row, error) {
	d.line++
	if d.json != nil {
		var raw json.RawMessage
		if err := d.json.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return Row{}, io.EOF
			}
			return Row{}, events.Invalidf("decisions: line %d is not JSON: %v", d.line, err)
		}
		var row Row
		var alt diavgeiaRow
		if err := json.Unmarshal(raw, &row); err != nil {
			return Row{}, refusal{fmt.Sprintf("not a record: %v", err)}
		}
		if err := json.Unmarshal(raw, &alt); err != nil {
			return Row{}, refusal{fmt.Sprintf("not a record: %v", err)}
		}
		fill(&row.ProtocolNumber, alt.ProtocolNumber)
		fill(&row.DecisionType, alt.DecisionType)
		fill(&row.IssueDate, alt.IssueDate)
		fill(&row.PublishedAt, alt.PublishedAt)
		fill(&row.IssuingUnit, alt.IssuingUnit)
		fill(&row.DocumentURL, alt.DocumentURL)
		fill(&row.DocumentSHA256, alt.DocumentSHA256)
		fill(&row.Corrects, alt.Corrects)
		return row, nil
	}
	rec, err := d.csv.Read()
	if errors.Is(err, io.EOF) {
		return Row{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrQuote) && !errors.Is(pe.Err, csv.ErrBareQuote) {
			return Row{}, refusal{err.Error()}
		}
		return Row{}, events.Invalidf("decisions: %v", err)
	}
	col := func(name string) source.Text {
		if i, ok := d.head[name]; ok && i < len(rec) {
			return source.Text(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	return Row{ADA: col("ada"), ProtocolNumber: col("protocol_number"), Subject: col("subject"), DecisionType: col("decision_type"),
		IssueDate: col("issue_date"), PublishedAt: col("publication_date"), IssuingUnit: col("issuing_unit"),
		DocumentURL: col("document_url"), DocumentSHA256: col("document_sha256"), Corrects: col("corrects"),
		Revokes: col("revokes"), Text: col("text"), LegalBasis: col("legal_basis"), Reason: col("reason")}, nil
}

func fill(dst *source.Text, v source.Text) {
	if *dst == "" {
		*dst = v
	}
}

// record maps a row to its commands, or refuses it.
func (d *Decoder) record(row Row) importer.Record {
	ada := strings.ToUpper(row.ADA.String())
	rec := importer.Record{Kind: "decision", SourceID: ada}
	if ada == "" {
		rec.SourceID = fmt.Sprintf("line %d", d.line)
		rec.Refused = "no ΑΔΑ (register id)"
		return rec
	}
	refuse := func(format string, args ...any) importer.Record {
		rec.Refused = fmt.Sprintf(format, args...)
		return rec
	}
	issued, err := source.Time(row.IssueDate.String(), d.opts.Location)
	if err != nil {
		return refuse("issue date: %v", err)
	}
	published, err := source.Time(row.PublishedAt.String(), d.opts.Location)
	if err != nil {
		return refuse("publication date: %v", err)
	}
	if issued.IsZero() {
		if published.IsZero() {
			return refuse("neither an issue date nor a publication date")
		}
		issued = published
		rec.Notes = append(rec.Notes, "issue date missing: the publication date taken")
	}
	if published.IsZero() || published.Before(issued) {
		published = issued
	}
	body := d.opts.Body
	if body == "" {
		body = row.IssuingUnit.String()
		if err := events.ValidateID("issuing unit", body); err != nil {
			return refuse("issuing unit %q is not an id; name the body with --body", body)
		}
	}
	subject := row.Subject.String()
	if subject == "" {
		return refuse("no subject")
	}
	text := row.Text.String()
	if text == "" {
		text = subject
		rec.Notes = append(rec.Notes, "no text: the subject taken as the text")
	}
	var docs []events.DocumentRef
	sha := strings.ToLower(row.DocumentSHA256.String())
	if sha != "" || row.DocumentURL != "" {
		docs = []events.DocumentRef{{Title: subject, MediaType: "application/pdf", URL: row.DocumentURL.String(), SHA256: sha}}
		if err := events.ValidateDocuments(docs); err != nil {
			return refuse("document: %s", message(err))
		}
	} else {
		rec.Notes = append(rec.Notes, "no document: recorded without one, not published")
	}
	publish := func(decisionID string) importer.Step {
		return importer.Step{Key: "decision:" + decisionID + ":publish:" + sha,
			Command: events.PublishDecision{DecisionID: decisionID, Register: events.RegisterDiavgeia, RegisterID: decisionID, DocumentSHA256: sha, At: published}}
	}
	if corrects := strings.ToUpper(row.Corrects.String()); corrects != "" {
		reason := row.Reason.String()
		if reason == "" {
			reason = "Ορθή επανάληψη"
			rec.Notes = append(rec.Notes, "correction without a reason: \"Ορθή επανάληψη\"")
		}
		rec.Kind = "decision correction"
		rec.Steps = []importer.Step{{Key: "decision:" + corrects + ":correct:" + ada + ":" + sha,
			Command: events.CorrectDecision{DecisionID: corrects, Reason: reason, Title: subject, Text: text, Documents: docs, At: issued}}}
		if docs != nil {
			rec.Steps = append(rec.Steps, publish(corrects))
		}
		return rec
	}
	basis := row.LegalBasis.String()
	if basis == "" {
		basis = "Εισαγωγή από το μητρώο αποφάσεων"
	}
	exception := fmt.Sprintf("ΑΔΑ %s", ada)
	if p := row.ProtocolNumber.String(); p != "" {
		exception += ", αρ. πρωτ. " + p
	}
	if t := row.DecisionType.String(); t != "" {
		exception += ", τύπος " + t
	}
	rec.Steps = []importer.Step{{Key: "decision:" + ada + ":adopt", Command: events.AdoptDecision{DecisionID: ada, BodyID: body,
		Exception: &events.DecisionException{Kind: events.ExceptionImported, LegalBasis: exception},
		Title:     subject, Text: text, LegalBasis: basis, Documents: docs, At: issued}}}
	if docs != nil {
		rec.Steps = append(rec.Steps, publish(ada))
	}
	if revokes := strings.ToUpper(row.Revokes.String()); revokes != "" {
		reason := row.Reason.String()
		if reason == "" {
			reason = "Ανάκληση με την απόφαση ΑΔΑ " + ada
		}
		rec.Steps = append(rec.Steps, importer.Step{Key: "decision:" + revokes + ":revoked-by:" + ada,
			Command: events.RevokeDecision{DecisionID: revokes, Reason: reason, RevokingDecisionID: ada, At: issued}})
	}
	return rec
}

func message(err error) string {
	var de *events.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
