package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/events/sqlite"
	"github.com/pnyx-civic/pnyx/internal/tokentest"
	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// The marker scan: unique markers in every personal field and every
// citizen's text of a small municipality, some of its citizens forgotten,
// then every public output scanned. A later issue that adds a public
// output adds it to publicOutputs (and its name to the table below).
//
//	output               personal fields   living citizens' words   forgotten citizens' words   vault subject ids
//	change feed          never             never (sealed)           never                       never
//	read-model queries   never             where published          never                       never
//	read-model file      never             where published          never (after a rebuild)     never
//	ledger               never             never (sealed)           never                       never
//	portal page /        never             never                    never                       never
//	export release       never             where published          never                       never
//	server log           never             never                    never                       never
//
// A comment's receipt (the secret its author withdraws it with) appears in
// none of them.

// scanCitizen is one citizen of the scan with their markers.
type scanCitizen struct {
	ref       events.SubjectRef
	forgotten bool
	person    events.Person
	comment   string // a published comment's marker
	hidden    string // a comment moderated away
	request   string // a request subject's marker
	receipt   string // the receipt of a comment withdrawn with it
}

func (c scanCitizen) personal() []string {
	return []string{c.person.Name, c.person.Email, c.person.Phone, c.person.DisplayName}
}

func TestMarkerScan(t *testing.T) {
	if testing.Short() {
		t.Skip("serves and rebuilds a small municipality")
	}
	cleanEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	c := &cli{now: fixedClock(), log: slog.New(slog.DiscardHandler), cfg: config{DataDir: dir, Store: storeSetting{Path: filepath.Join(dir, "events.db")}}}
	citizens, admin := seedMarkedMunicipality(t, c)

	base, stop := startServe(t, dir, "--poll-interval", "20ms", "--checkpoint-every", "1")
	waitServing(t, base, c)
	for i := range citizens {
		if i%2 == 0 {
			continue // the odd ones are forgotten while the server runs
		}
		r := pnyx(t, ctx, nil, "forget", "--data-dir", dir, "--token", admin, "--subject", string(citizens[i].ref), "--reason", "άρθρο 17 ΓΚΠΔ")
		if r.err != nil {
			t.Fatalf("pnyx forget: %v\n%s", r.err, r.stderr)
		}
		citizens[i].forgotten = true
	}
	waitServing(t, base, c)

	outputs := map[string]string{"change feed": changeFeed(t, base)}
	outputs["read-model queries"] = publicQueries(t, c, citizens)
	outputs["ledger"] = ledgerAnswers(t, base, c)
	if code, _, page := fetch(t, base+"/"); code == 200 {
		outputs["portal page /"] = page
	}
	outputs["server log"] = stop().stderr
	t.Run("the log's integrity holds after the forgetting", func(t *testing.T) {
		if r := pnyx(t, ctx, nil, "verify", "--data-dir", dir); r.err != nil {
			t.Fatalf("pnyx verify: %v\n%s%s", r.err, r.stdout, r.stderr)
		}
	})
	if r := pnyx(t, ctx, nil, "projections", "rebuild", "--data-dir", dir); r.err != nil {
		t.Fatalf("rebuild: %v\n%s", r.err, r.stderr)
	}
	outputs["read-model file"] = readModelFile(t, dir)
	outputs["read-model queries after the rebuild"] = publicQueries(t, c, citizens)
	release := filepath.Join(t.TempDir(), "release")
	if r := pnyx(t, ctx, nil, "export", "--all", "--out", release, "--data-dir", dir); r.err != nil {
		t.Fatalf("export: %v\n%s", r.err, r.stderr)
	}
	outputs["export release"] = folderBytes(t, release)

	// Where living citizens' published words may appear (and must, in
	// the read model's queries; a release may leave a field out). Compressed files
	// of a release (Parquet) are scanned as they are: a marker inside
	// them is found only where it is stored plain.
	public := map[string]bool{"read-model queries": true, "read-model queries after the rebuild": true, "read-model file": true, "export release": true}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			if len(out) < 100 {
				t.Fatalf("%s holds %d bytes: the scan would prove nothing", name, len(out))
			}
			for _, cz := range citizens {
				for _, m := range cz.personal() {
					if strings.Contains(out, m) {
						t.Errorf("personal data %q in %s", m, name)
					}
				}
				if strings.Contains(out, cz.receipt) {
					t.Errorf("a comment's receipt in %s", name)
				}
				if strings.Contains(out, string(cz.ref)) {
					t.Errorf("vault subject id %s in %s", cz.ref, name)
				}
				if strings.Contains(out, cz.hidden) {
					t.Errorf("a moderated comment's words %q in %s", cz.hidden, name)
				}
				for _, m := range []string{cz.comment, cz.request} {
					switch in := strings.Contains(out, m); {
					case in && cz.forgotten:
						i := strings.Index(out, m)
						t.Errorf("a forgotten citizen's words %q in %s: %q", m, name, out[max(0, i-300):min(len(out), i+60)])
					case in && !public[name]:
						t.Errorf("a citizen's words %q in %s, which shows only ciphertext", m, name)
					case !in && !cz.forgotten && strings.HasPrefix(name, "read-model queries"):
						t.Errorf("a living citizen's words %q missing from %s", m, name)
					}
				}
			}
			if strings.Contains(out, "subj-") {
				i := strings.Index(out, "subj-")
				t.Errorf("a subject reference in %s: %q", name, out[i:min(len(out), i+40)])
			}
		})
	}
}

// seedMarkedMunicipality records, with the tokens it grants (it returns
// the admin's secret), a council, a meeting with an open
// consultation, and per citizen a comment, a moderated comment and a
// request, every personal field and text a unique marker.
func seedMarkedMunicipality(t *testing.T, c *cli) ([]scanCitizen, string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.cfg.Store.Path, sqlite.Options{Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := c.openVault(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	svc := events.NewService(st, events.ServiceOptions{Sealer: v})
	t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	tokens := tokentest.New(ctx, t, svc, t0.Add(-time.Hour))
	run := func(cmd events.Command) {
		t.Helper()
		if _, err := svc.Handle(ctx, cmd, tokens.For(ctx, t, cmd)); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	meetingAt := t0.Add(10 * 24 * time.Hour)
	run(events.RegisterBody{BodyID: "ds", Name: "Δημοτικό Συμβούλιο", Kind: events.BodyCouncil, Settings: events.DefaultBodySettings(13), At: t0})
	for i := 1; i <= 13; i++ {
		role := events.RoleMember
		if i == 1 {
			role = events.RoleChair
		}
		run(events.AddMember{BodyID: "ds", MemberID: fmt.Sprintf("m%02d", i), Name: fmt.Sprintf("Σύμβουλος %d", i), Role: role, At: t0})
	}
	run(events.ScheduleMeeting{MeetingID: "2026-05", BodyID: "ds", StartsAt: meetingAt, Place: "Δημαρχείο", Urgency: events.MeetingRegular, At: t0})
	run(events.AddItem{MeetingID: "2026-05", ItemID: "item-1", Title: "Προϋπολογισμός", QuestionType: "budget", Presenter: "Δήμαρχος", At: t0})
	run(events.PublishAgenda{MeetingID: "2026-05", BodyID: "ds", ConsultationClosesAt: meetingAt.Add(-24 * time.Hour), At: t0.Add(time.Hour)})
	var out []scanCitizen
	for i := range 4 {
		cz := scanCitizen{
			person: events.Person{Name: fmt.Sprintf("zq%dname", i), Email: fmt.Sprintf("zq%dmail@example.gr", i),
				Phone: fmt.Sprintf("69%08d", 4711000+i), DisplayName: fmt.Sprintf("zq%ddisplay", i)},
			comment: fmt.Sprintf("zq%dcomment", i), hidden: fmt.Sprintf("zq%dhidden", i), request: fmt.Sprintf("zq%drequest", i),
		}
		if cz.ref, err = v.Put(ctx, cz.person); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(2+i) * time.Hour)
		run(events.SubmitComment{ItemID: "item-1", CommentID: fmt.Sprintf("c%d", i), Kind: events.CommentProposal,
			Text: "Πρόταση " + cz.comment + " για τις παιδικές χαρές.", SubjectRef: cz.ref, At: at})
		run(events.SubmitComment{ItemID: "item-1", CommentID: fmt.Sprintf("h%d", i), Kind: events.CommentRemark,
			Text: "Σχόλιο " + cz.hidden, SubjectRef: cz.ref, At: at})
		run(events.ModerateComment{ItemID: "item-1", CommentID: fmt.Sprintf("h%d", i), Reason: "Όροι χρήσης §4", At: at.Add(time.Minute)})
		// A comment submitted with a receipt, as on the web, and withdrawn
		// with it by the public: the receipt is a secret no output shows.
		var hash string
		cz.receipt, hash = events.NewReceipt()
		run(events.SubmitComment{ItemID: "item-1", CommentID: fmt.Sprintf("w%d", i), Kind: events.CommentRemark,
			Text: "Σχόλιο με απόδειξη", SubjectRef: cz.ref, ReceiptSHA256: hash, At: at})
		withdraw := events.WithdrawComment{ItemID: "item-1", CommentID: fmt.Sprintf("w%d", i), Receipt: cz.receipt, At: at.Add(time.Minute)}
		if _, err := svc.Handle(ctx, withdraw, events.WithActor(events.PublicActor)); err != nil {
			t.Fatalf("withdraw by receipt: %v", err)
		}
		id := fmt.Sprintf("r%d", i)
		run(events.SubmitRequest{RequestID: id, Category: events.RequestInformation, Subject: "Αίτημα " + cz.request,
			Channel: events.RequestViaWeb, Requester: cz.ref, At: at})
		run(events.AcknowledgeRequest{RequestID: id, ResponseDays: 20, At: at.Add(time.Hour)})
		run(events.AnswerRequest{RequestID: id, Summary: "Η απάντηση της υπηρεσίας.", At: at.Add(48 * time.Hour)})
		out = append(out, cz)
	}
	return out, tokens.AdminSecret
}

// waitServing waits until the read model serves the whole log.
func waitServing(t *testing.T, base string, c *cli) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), c.cfg.Store.Path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	head, err := st.Head(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		_, ans := readyz(t, base)
		if p := ans.ReadModel.ServingPosition; p != nil && *p >= uint64(head) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the read model did not reach position %d: %+v", head, ans)
		}
		time.Sleep(20 * time.Millisecond) // polling a server over HTTP: there is no signal to wait on
	}
}

// changeFeed returns every page of the public change feed.
func changeFeed(t *testing.T, base string) string {
	t.Helper()
	var all strings.Builder
	for after := uint64(0); ; {
		code, _, body := fetch(t, fmt.Sprintf("%s/v1/events?after=%d&limit=1000", base, after))
		if code != 200 {
			t.Fatalf("change feed answered %d: %s", code, body)
		}
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if body == "" || len(lines) == 0 || lines[0] == "" {
			return all.String()
		}
		all.WriteString(body)
		var last struct {
			Position uint64 `json:"position"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Position <= after {
			return all.String()
		}
		after = last.Position
	}
}

// ledgerAnswers returns the ledger's newest checkpoint and the inclusion
// proof, with its leaf, of every event of the log.
func ledgerAnswers(t *testing.T, base string, c *cli) string {
	t.Helper()
	st, err := sqlite.Open(context.Background(), c.cfg.Store.Path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	head, err := st.Head(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for deadline := time.Now().Add(time.Minute); ; {
		code, _, body := fetch(t, base+"/ledger/checkpoint")
		if code == 200 && strings.Contains(body, fmt.Sprintf("\n%d\n", head)) {
			all.WriteString(body)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of the whole log (%d events): %d %s", head, code, body)
		}
		time.Sleep(20 * time.Millisecond) // the ledger follows the log over HTTP: no signal to wait on
	}
	for pos := events.Position(1); pos <= head; pos++ {
		code, _, body := fetch(t, fmt.Sprintf("%s/ledger/proof/inclusion?position=%d", base, pos))
		if code != 200 {
			t.Fatalf("inclusion proof of %d: %d %s", pos, code, body)
		}
		all.WriteString(body)
	}
	return all.String()
}

// publicQueries calls every exported query of a read-model Snapshot, by
// reflection so a query added later is scanned too, with every id and
// marker of the world as its string arguments, and every entity's AsOf
// and History; it returns their answers as JSON.
func publicQueries(t *testing.T, c *cli, citizens []scanCitizen) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.cfg.Store.Path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := c.openVault(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	rm, err := readmodel.OpenReadModelQueries(ctx, readModelPath(c.cfg), st)
	if err != nil {
		t.Fatal(err)
	}
	defer rm.Close()
	rm.UseVault(v)
	candidates := []string{"", "ds", "2026-05", "item-1", "m01", "comment", "request", "παιδικές", "Αίτημα"}
	for i, cz := range citizens {
		candidates = append(candidates, fmt.Sprintf("c%d", i), fmt.Sprintf("h%d", i), fmt.Sprintf("r%d", i), cz.comment, cz.request, cz.hidden)
	}
	var out bytes.Buffer
	snap, err := rm.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	sv := reflect.ValueOf(snap)
	ctxType, errType := reflect.TypeFor[context.Context](), reflect.TypeFor[error]()
	queries := 0
	for i := range sv.NumMethod() {
		m, mt := sv.Method(i), sv.Type().Method(i)
		ft := m.Type()
		if ft.NumIn() == 0 || ft.In(0) != ctxType || ft.NumOut() != 2 || ft.Out(1) != errType {
			continue
		}
		queries++
		for _, cand := range candidates {
			args := []reflect.Value{reflect.ValueOf(ctx)}
			for j := 1; j < ft.NumIn(); j++ {
				switch in := ft.In(j); {
				case in.Kind() == reflect.String:
					args = append(args, reflect.ValueOf(cand).Convert(in))
				case in == reflect.TypeFor[[]string]():
					args = append(args, reflect.ValueOf(candidates))
				default:
					args = append(args, reflect.Zero(in))
				}
			}
			res := m.Call(args)
			if !res[1].IsNil() {
				continue
			}
			b, err := json.Marshal(res[0].Interface())
			if err != nil {
				t.Fatalf("%s: %v", mt.Name, err)
			}
			fmt.Fprintf(&out, "%s: %s\n", mt.Name, b) // not the argument: it may be a marker
		}
	}
	if queries < 40 {
		t.Fatalf("only %d queries of the read model found", queries)
	}
	streams := []string{"body-ds", "meeting-2026-05", "consultation-item-1"}
	for i := range citizens {
		streams = append(streams, events.RequestStream(fmt.Sprintf("r%d", i)))
	}
	for _, s := range streams {
		for _, at := range []readmodel.Point{{}, {Position: 30}, {Position: 60}} {
			if state, err := rm.AsOf(ctx, s, at); err == nil {
				b, _ := json.Marshal(state)
				fmt.Fprintf(&out, "AsOf(%s, %d): %s\n", s, at.Position, b)
			} else if events.ErrorCode(err) != events.CodeNotFound {
				t.Fatalf("AsOf(%s): %v", s, err)
			}
		}
		hist, err := rm.History(ctx, s, readmodel.HistoryOptions{})
		if err != nil {
			t.Fatalf("History(%s): %v", s, err)
		}
		b, _ := json.Marshal(hist)
		fmt.Fprintf(&out, "History(%s): %s\n", s, b)
	}
	return out.String()
}

// folderBytes returns every file under dir, concatenated.
func folderBytes(t *testing.T, dir string) string {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		all = append(all, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(all)
}

// readModelFile returns the bytes of the read model's file and its
// write-ahead log, once a checkpoint has moved the log into the file: until
// then the write-ahead log holds the pages a forgetting overwrote (see
// docs/PRIVACY.md).
func readModelFile(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "readmodel.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	var busy, frames, done int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil || busy != 0 {
		t.Fatalf("checkpoint the read model: busy %d, %v", busy, err)
	}
	db.Close()
	var all []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, "readmodel.db"+suffix))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return string(all)
}
