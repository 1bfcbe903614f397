package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	gqlast "github.com/vektah/gqlparser/v2/ast"

	"github.com/pnyx-civic/pnyx/events"
	"github.com/pnyx-civic/pnyx/graphql"
)

// schemaDoc is the parsed schema the mutation tests read the mutations,
// their inputs and payloads from.
var schemaDoc = func() *gqlast.Schema {
	s, err := gqlparser.LoadSchema(&gqlast.Source{Name: "schema.graphql", Input: graphql.Schema})
	if err != nil {
		panic(err)
	}
	return s
}()

// mutationTypes are the root of the mutations and the types only they
// answer: TestEveryMutationRuns selects every field of them.
var mutationTypes = func() map[string]bool {
	m := map[string]bool{"Mutation": true, "Write": true}
	for name := range schemaDoc.Types {
		if strings.HasSuffix(name, "Payload") {
			m[name] = true
		}
	}
	return m
}()

// domainCommands are the exported types of package events with a Stream
// method: its commands.
func domainCommands(t *testing.T) []string {
	t.Helper()
	fs := token.NewFileSet()
	pkgs, err := parser.ParseDir(fs, "../events", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || fn.Name.Name != "Stream" || fn.Type.Params.NumFields() != 0 {
					continue
				}
				recv := fn.Recv.List[0].Type
				if s, ok := recv.(*ast.StarExpr); ok {
					recv = s.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
					out = append(out, id.Name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func TestEveryCommandHasAMutation(t *testing.T) {
	cmds := domainCommands(t)
	if len(cmds) < 57 {
		t.Fatalf("found %d commands in package events, want at least 57: the scan is broken", len(cmds))
	}
	mutation := schemaDoc.Mutation
	var missing []string
	for _, c := range cmds {
		f := mutation.Fields.ForName(lowerFirst(c))
		if f == nil {
			missing = append(missing, c)
			continue
		}
		for _, arg := range []string{"input", "expectedVersion", "idempotencyKey"} {
			if f.Arguments.ForName(arg) == nil {
				t.Errorf("mutation %s has no %s argument", f.Name, arg)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d commands have no mutation (add one to schema.graphql and mutation_commands.go): %s",
			len(missing), strings.Join(missing, ", "))
	}
	if n := len(mutation.Fields); n != len(cmds) {
		t.Errorf("%d mutations for %d commands: each mutation records one command", n, len(cmds))
	}
}

// selection is what a scenario asks of a payload: every field, the
// entity by a few of its own.
func selection(payload string) string {
	entity := map[string]string{
		"BodyPayload":          "body { id name }",
		"MemberPayload":        "member { id name faction } body { id }",
		"FactionPayload":       "faction { localId name role }",
		"MeetingPayload":       "meeting { id status }",
		"AgendaItemPayload":    "item { id status } meeting { id }",
		"ConsultationPayload":  "consultation { id status }",
		"CommentPayload":       "commentId comment { localId kind status text } consultation { id commentCount }",
		"AmendmentPayload":     "amendment { id status }",
		"VotePayload":          "vote { id status yes no abstain result }",
		"DecisionPayload":      "decision { id status version number }",
		"ProcurementPayload":   "procurement { id status }",
		"SupplierPayload":      "supplier { id name }",
		"RequestPayload":       "requestId request { id status }",
		"RecordPayload":        "",
		"MinutesPayload":       "meeting { id status }",
		"ProtocolEntryPayload": "",
	}[payload]
	return "write { stream eventIds version position replayed number caughtUp } " + entity
}

// mutationDoc is the document that runs mutation name with $input and
// $key, selecting all of its payload.
func mutationDoc(t testing.TB, name string) string {
	t.Helper()
	f := schemaDoc.Mutation.Fields.ForName(name)
	if f == nil {
		t.Fatalf("no mutation %s", name)
	}
	in := f.Arguments.ForName("input").Type.Name()
	return fmt.Sprintf("mutation($input: %s!, $key: String, $expected: Int64) { %s(input: $input, idempotencyKey: $key, expectedVersion: $expected) { %s } }",
		in, name, selection(f.Type.Name()))
}

// written is a mutation's answer as the tests read it.
type written struct {
	Write struct {
		Stream   string   `json:"stream"`
		EventIDs []string `json:"eventIds"`
		Version  int64    `json:"version"`
		Position uint64   `json:"position"`
		Replayed bool     `json:"replayed"`
		Number   *int64   `json:"number"`
		CaughtUp bool     `json:"caughtUp"`
	} `json:"write"`
	CommentID string         `json:"commentId"`
	RequestID string         `json:"requestId"`
	Entities  map[string]any `json:"-"`
}

func decodeWritten(t testing.TB, name string, r response) (written, map[string]any) {
	t.Helper()
	var data map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("%s: data: %v: %s", name, err, r.Data)
	}
	var w written
	if err := json.Unmarshal(data[name], &w); err != nil {
		t.Fatalf("%s: %v: %s", name, err, data[name])
	}
	var all map[string]any
	_ = json.Unmarshal(data[name], &all)
	return w, all
}

// step is one command of the scenario.
type step struct {
	name   string
	input  func() map[string]any
	public bool   // sent without a token
	key    string // the idempotency key; a public step gets one of its own
	after  func(t *testing.T, w written, all map[string]any)
}

func ts(d time.Duration) string { return writeT0.Add(d).Format(time.RFC3339) }

const day = 24 * time.Hour

func doc(title string) map[string]any {
	return map[string]any{"title": title, "mediaType": "application/pdf", "size": 1024,
		"sha256": strings.Repeat("ab", 32), "url": "https://example.gr/docs/" + strings.ReplaceAll(title, " ", "-") + ".pdf"}
}

func eur(cents int64) map[string]any { return map[string]any{"cents": cents, "currency": "EUR"} }

// vatID makes a valid Greek VAT id (ΑΦΜ) from eight digits.
func vatID(digits string) string {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(digits[i]-'0') << (8 - i)
	}
	return "EL" + digits + fmt.Sprint(sum%11%10)
}

// citizen is the personal data of the scenario's citizens, which must
// appear nowhere but the vault.
var citizen = map[string]any{"name": "Ξανθίππη Κωνσταντοπούλου", "email": "xanthippi.k@example.gr", "phone": "+30 6971234567",
	"displayName": "Ξανθίππη της Πνύκας"}

// clerkScenario is a municipality recorded end to end through the API,
// the body's record with a token scoped to the body (TestMutationTokens
// refuses it on another body): a body and its members, a meeting from its
// schedule to its minutes (agenda, consultation with citizens' comments,
// a conflict of interest, convening, arrivals, amendments, a member
// stepping out of an item, votes, decisions), the minutes drafted,
// corrected and approved at the next sitting, where a substitute sits for
// an absent member; decisions published, corrected, reissued under a new
// ΑΔΑ, revoked and annulled, the protocol, procurement from plan to
// completion, suppliers, citizens' requests, access grants, a skip and an
// erasure. Every mutation of the schema runs in it at least once.
func clerkScenario(e *writeEnv, t *testing.T) []step {
	var settings map[string]any
	b, _ := json.Marshal(events.DefaultBodySettings(7))
	_ = json.Unmarshal(b, &settings)
	s1, s2 := vatID("09412345"), vatID("08876543")
	got := map[string]string{}
	keep := func(name string) func(*testing.T, written, map[string]any) {
		return func(_ *testing.T, w written, _ map[string]any) { got[name] = w.CommentID + w.RequestID }
	}
	in := func(m map[string]any) func() map[string]any { return func() map[string]any { return m } }
	var steps []step
	add := func(name string, m map[string]any) { steps = append(steps, step{name: name, input: in(m)}) }

	add("registerBody", map[string]any{"bodyId": "b1", "name": "Δημοτικό Συμβούλιο Δοκιμής", "kind": "council", "settings": settings, "at": ts(-30 * day)})
	add("formFaction", map[string]any{"factionId": "fa", "bodyId": "b1", "name": "Παράταξη Α", "shortName": "Α", "colour": "#0072b2", "role": "majority", "at": ts(-30 * day)})
	add("formFaction", map[string]any{"factionId": "fb", "bodyId": "b1", "name": "Παράταξη Β", "shortName": "Β", "colour": "#e69f00", "role": "opposition", "at": ts(-30 * day)})
	add("formFaction", map[string]any{"factionId": "fc", "bodyId": "b1", "name": "Παράταξη Γ", "shortName": "Γ", "colour": "#009e73", "role": "opposition", "at": ts(-30 * day)})
	for i, m := range []string{"m1", "m2", "m3", "m4", "m5", "m6"} {
		role := "member"
		if i == 0 {
			role = "chair"
		}
		add("addMember", map[string]any{"bodyId": "b1", "memberId": m, "name": "Σύμβουλος " + m, "factionId": []string{"fa", "fb"}[i%2], "role": role, "at": ts(-30 * day)})
	}
	// The body's settings gain substitutes (αναπληρωματικά μέλη); one joins.
	withSubstitutes := map[string]any{"substitutes": true}
	for k, v := range settings {
		withSubstitutes[k] = v
	}
	add("changeBodySettings", map[string]any{"bodyId": "b1", "settings": withSubstitutes, "reason": "Απόφαση 12/2026: αναπληρωματικά μέλη", "at": ts(-29 * day)})
	add("addMember", map[string]any{"bodyId": "b1", "memberId": "s1", "name": "Αναπληρώτρια σύμβουλος", "factionId": "fa", "role": "substitute", "at": ts(-29 * day)})
	add("changeMemberRole", map[string]any{"bodyId": "b1", "memberId": "m2", "role": "vice_chair", "at": ts(-29 * day)})
	add("changeMemberFaction", map[string]any{"bodyId": "b1", "memberId": "m3", "factionId": "fb", "at": ts(-29 * day)})
	add("changeFactionDetails", map[string]any{"factionId": "fb", "name": "Παράταξη Β΄", "shortName": "Β΄", "colour": "#cc79a7", "at": ts(-29 * day)})
	add("changeFactionLeader", map[string]any{"factionId": "fb", "memberId": "m2", "at": ts(-29 * day)})
	add("changeFactionRole", map[string]any{"factionId": "fb", "role": "majority", "reason": "Συνεργασία με την παράταξη Α", "at": ts(-29 * day)})
	add("dissolveFaction", map[string]any{"factionId": "fc", "reason": "Κανείς δεν εκλέχθηκε", "at": ts(-29 * day)})
	add("removeMember", map[string]any{"bodyId": "b1", "memberId": "m6", "reason": "Παραίτηση", "at": ts(-28 * day)})
	add("registerSupplier", map[string]any{"vatId": s1, "name": "Κατασκευαστική Δοκιμής ΑΕ", "kind": "sme", "locality": "Καλλιθέα", "municipality": "Καλλιθέα", "country": "GR",
		"address":      map[string]any{"street": "Οδός 1", "postcode": "17671", "locality": "Καλλιθέα", "country": "GR"},
		"contactPoint": map[string]any{"office": "Τμήμα προσφορών", "email": "prosfores@example.gr"}, "at": ts(-30 * day)})
	add("registerSupplier", map[string]any{"vatId": s2, "name": "Συνεταιρισμός Δοκιμής", "kind": "cooperative", "country": "GR", "at": ts(-30 * day)})
	add("changeSupplierDetails", map[string]any{"vatId": s2, "name": "Αγροτικός Συνεταιρισμός Δοκιμής", "kind": "cooperative", "country": "GR", "reason": "Αλλαγή επωνυμίας", "at": ts(-29 * day)})

	// The meeting, from its schedule to its agenda and consultation.
	add("scheduleMeeting", map[string]any{"meetingId": "mt1", "bodyId": "b1", "startsAt": ts(5 * day), "place": "Δημαρχείο", "urgency": "regular", "call": 1, "at": ts(-10 * day)})
	for _, it := range []string{"it1", "it2", "it3"} {
		add("addItem", map[string]any{"meetingId": "mt1", "itemId": it, "title": "Θέμα " + it + ": έγκριση προϋπολογισμού", "description": "Εισήγηση",
			"documents": []any{doc("Εισήγηση " + it)}, "presenter": "Δήμαρχος", "at": ts(-9 * day)})
	}
	add("withdrawItem", map[string]any{"meetingId": "mt1", "itemId": "it3", "reason": "Ελλιπής φάκελος", "at": ts(-8 * day)})
	add("publishAgenda", map[string]any{"meetingId": "mt1", "bodyId": "b1", "consultationClosesAt": ts(4 * day), "at": ts(-7 * day)})
	// The publication opened the consultation on each item; a meeting of
	// an archive recorded before consultations followed their item has its
	// consultation opened by hand.
	steps = append(steps, step{name: "openConsultation", input: func() map[string]any {
		e.legacyAgenda(t, "mt0", "it0", writeT0.Add(-7*day))
		return map[string]any{"itemId": "it0", "meetingId": "mt0", "at": ts(-7*day + time.Hour)}
	}})
	comment := func(text string) map[string]any {
		return map[string]any{"itemId": "it1", "kind": "proposal", "text": text, "author": citizen}
	}
	steps = append(steps,
		step{name: "submitComment", public: true, input: in(comment("Προτείνω περισσότερους πόρους για τις παιδικές χαρές.")), after: keep("comment1")},
		step{name: "submitComment", public: true, input: in(comment("Ένα δεύτερο σχόλιο προς έλεγχο.")), after: keep("comment2")},
		step{name: "moderateComment", input: func() map[string]any {
			return map[string]any{"itemId": "it1", "commentId": got["comment2"], "reason": "Εκτός θέματος", "at": ts(time.Hour)}
		}},
		step{name: "withdrawComment", public: true, input: func() map[string]any {
			// A comment recorded at a citizen service centre, whose author
			// the centre names by their vault reference.
			ref := e.directComment(t, "c-centre", ts(2*time.Hour))
			return map[string]any{"itemId": "it1", "commentId": "c-centre", "subjectRef": string(ref), "at": ts(3 * time.Hour)}
		}},
	)
	add("closeConsultation", map[string]any{"itemId": "it1", "reason": "Έληξε η προθεσμία", "at": ts(4 * day)})

	// A conflict of interest declared before the sitting: m5 takes no part
	// in item it2.
	add("declareConflict", map[string]any{"meetingId": "mt1", "bodyId": "b1", "itemId": "it2", "memberId": "m5",
		"reason": "Συγγένεια με μελετητή της μελέτης", "at": ts(4*day + time.Hour)})

	// The sitting.
	sit := func(d time.Duration) string { return ts(5*day + d) }
	add("conveneMeeting", map[string]any{"meetingId": "mt1", "bodyId": "b1", "present": []string{"m1", "m2", "m3", "m4"}, "presidingMemberId": "m1", "at": sit(10 * time.Minute)})
	add("recordArrival", map[string]any{"meetingId": "mt1", "bodyId": "b1", "memberId": "m5", "at": sit(20 * time.Minute)})
	add("proposeAmendment", map[string]any{"amendmentId": "a1", "bodyId": "b1", "meetingId": "mt1", "itemId": "it1", "proposerId": "m2", "text": "Αύξηση του κονδυλίου κατά 10%", "at": sit(25 * time.Minute)})
	vote := func(id, amendment, item string, at time.Duration, choices ...string) {
		v := map[string]any{"voteId": id, "bodyId": "b1", "meetingId": "mt1", "itemId": item, "question": "Εγκρίνεται;", "method": "roll_call", "at": sit(at)}
		if amendment != "" {
			v["amendmentId"] = amendment
		}
		add("openVote", v)
		for i, c := range choices {
			add("castBallot", map[string]any{"voteId": id, "bodyId": "b1", "meetingId": "mt1", "memberId": fmt.Sprintf("m%d", i+1), "choice": c, "at": sit(at + time.Minute)})
		}
	}
	closeVote := func(id string, at time.Duration) {
		add("closeVote", map[string]any{"voteId": id, "bodyId": "b1", "meetingId": "mt1", "at": sit(at)})
	}
	vote("va1", "a1", "it1", 30*time.Minute, "yes", "yes", "yes", "no", "abstain")
	closeVote("va1", 33*time.Minute)
	add("acceptAmendment", map[string]any{"amendmentId": "a1", "voteId": "va1", "at": sit(34 * time.Minute)})
	add("proposeAmendment", map[string]any{"amendmentId": "a2", "bodyId": "b1", "meetingId": "mt1", "itemId": "it1", "proposerId": "m3", "text": "Δεύτερη τροπολογία", "at": sit(35 * time.Minute)})
	add("withdrawAmendment", map[string]any{"amendmentId": "a2", "reason": "Ενσωματώθηκε", "at": sit(36 * time.Minute)})
	add("proposeAmendment", map[string]any{"amendmentId": "a3", "bodyId": "b1", "meetingId": "mt1", "itemId": "it1", "proposerId": "m4", "text": "Τρίτη τροπολογία", "at": sit(37 * time.Minute)})
	add("rejectAmendment", map[string]any{"amendmentId": "a3", "reason": "Ο εισηγητής δεν την αποδέχθηκε", "at": sit(38 * time.Minute)})
	// m5 voted on the amendment, then steps out of the item's own vote.
	add("stepOut", map[string]any{"meetingId": "mt1", "itemId": "it1", "memberId": "m5", "at": sit(39 * time.Minute)})
	vote("v1", "", "it1", 40*time.Minute, "yes", "yes", "yes", "no")
	add("changeBallot", map[string]any{"voteId": "v1", "memberId": "m4", "choice": "yes", "at": sit(42 * time.Minute)})
	closeVote("v1", 43*time.Minute)
	add("adoptDecision", map[string]any{"decisionId": "d1", "bodyId": "b1", "meetingId": "mt1", "itemId": "it1", "voteId": "v1",
		"title": "Έγκριση προϋπολογισμού 2026", "text": "Εγκρίνει τον προϋπολογισμό.", "legalBasis": "ν. 3852/2010 άρθ. 65",
		"documents": []any{doc("Απόφαση 1")}, "at": sit(45 * time.Minute)})
	add("recordDeparture", map[string]any{"meetingId": "mt1", "memberId": "m5", "at": sit(50 * time.Minute)})
	vote("v2", "", "it2", 55*time.Minute, "yes", "yes", "yes", "yes")
	closeVote("v2", 58*time.Minute)
	add("adoptDecision", map[string]any{"decisionId": "d2", "bodyId": "b1", "meetingId": "mt1", "itemId": "it2", "voteId": "v2",
		"title": "Έγκριση μελέτης", "text": "Εγκρίνει τη μελέτη.", "legalBasis": "ν. 3852/2010 άρθ. 65", "at": sit(time.Hour)})
	add("adjournMeeting", map[string]any{"meetingId": "mt1", "at": sit(2 * time.Hour)})
	add("publishMinutes", map[string]any{"meetingId": "mt1", "documents": []any{doc("Πρακτικά συνεδρίασης")}, "at": ts(10 * day)})
	add("publishDecision", map[string]any{"decisionId": "d1", "register": "diavgeia", "registerId": "ΨΑΘ1ΩΕΚ-ΑΒΓ", "documentSha256": strings.Repeat("cd", 32), "at": ts(6 * day)})
	add("correctDecision", map[string]any{"decisionId": "d1", "reason": "Διόρθωση: σφάλμα στο ποσό", "title": "Έγκριση προϋπολογισμού 2026 (διορθωμένη)",
		"text": "Εγκρίνει τον προϋπολογισμό, διορθωμένο.", "at": ts(7 * day)})
	add("reissueDecision", map[string]any{"decisionId": "d1", "registerId": "ΨΑΘ1ΩΕΚ-ΔΕΖ", "documentSha256": strings.Repeat("ce", 32),
		"reason": "Ορθή επανάληψη λόγω σφάλματος στο ποσό", "at": ts(7*day + time.Hour)})

	// The minutes of mt1: drafted, corrected, and approved at the next
	// sitting, where a substitute sits for the absent m5.
	add("draftMinutes", map[string]any{"meetingId": "mt1", "bodyId": "b1", "documents": []any{doc("Σχέδιο πρακτικών")}, "decisionIds": []string{"d1", "d2"}, "at": ts(8 * day)})
	add("correctMinutes", map[string]any{"meetingId": "mt1", "reason": "Παράλειψη τοποθέτησης συμβούλου", "documents": []any{doc("Πρακτικά, διορθωμένα")}, "at": ts(9 * day)})
	next := func(d time.Duration) string { return ts(14*day + d) }
	add("scheduleMeeting", map[string]any{"meetingId": "mt4", "bodyId": "b1", "startsAt": next(0), "place": "Δημαρχείο", "urgency": "regular", "call": 1, "at": ts(8 * day)})
	add("addItem", map[string]any{"meetingId": "mt4", "itemId": "it4", "title": "Έγκριση πρακτικών της προηγούμενης συνεδρίασης", "questionType": "minutes",
		"presenter": "Πρόεδρος", "at": ts(8*day + time.Hour)})
	add("publishAgenda", map[string]any{"meetingId": "mt4", "bodyId": "b1", "consultationClosesAt": ts(13 * day), "at": ts(8*day + 2*time.Hour)})
	add("seatSubstitute", map[string]any{"meetingId": "mt4", "bodyId": "b1", "substituteId": "s1", "forMemberId": "m5", "at": ts(13 * day)})
	add("justifyAbsence", map[string]any{"meetingId": "mt4", "bodyId": "b1", "memberId": "m5", "reason": "Ασθένεια", "at": ts(13*day + time.Hour)})
	add("conveneMeeting", map[string]any{"meetingId": "mt4", "bodyId": "b1", "present": []string{"m1", "m2", "m3", "m4", "s1"}, "presidingMemberId": "m1", "at": next(10 * time.Minute)})
	add("openVote", map[string]any{"voteId": "vm1", "bodyId": "b1", "meetingId": "mt4", "itemId": "it4", "question": "Εγκρίνονται τα πρακτικά;", "method": "roll_call", "at": next(15 * time.Minute)})
	for _, m := range []string{"m1", "m2", "m3", "m4", "s1"} {
		add("castBallot", map[string]any{"voteId": "vm1", "bodyId": "b1", "meetingId": "mt4", "memberId": m, "choice": "yes", "at": next(16 * time.Minute)})
	}
	add("closeVote", map[string]any{"voteId": "vm1", "bodyId": "b1", "meetingId": "mt4", "at": next(18 * time.Minute)})
	add("approveMinutes", map[string]any{"meetingId": "mt1", "approvingMeetingId": "mt4", "voteId": "vm1", "at": next(19 * time.Minute)})
	add("adjournMeeting", map[string]any{"meetingId": "mt4", "at": next(time.Hour)})

	// The decision sent out under a protocol number.
	steps = append(steps, step{name: "registerProtocolEntry", input: in(map[string]any{"entryId": "prot-d1", "registry": "geniko-protokollo", "direction": "outgoing",
		"decisionId": "d1", "subject": "Διαβίβαση της απόφασης 1/2026 για έλεγχο νομιμότητας", "correspondent": "Αποκεντρωμένη Διοίκηση Αττικής",
		"documents": []any{doc("Διαβιβαστικό")}, "at": ts(9 * day)}), after: protocolNumber(1)})

	// Other meetings: postponed and cancelled; a failed quorum.
	add("scheduleMeeting", map[string]any{"meetingId": "mt2", "bodyId": "b1", "startsAt": ts(15 * day), "place": "Δημαρχείο", "urgency": "regular", "at": ts(1 * day)})
	add("postponeMeeting", map[string]any{"meetingId": "mt2", "startsAt": ts(16 * day), "reason": "Εθνική επέτειος", "at": ts(2 * day)})
	add("cancelMeeting", map[string]any{"meetingId": "mt2", "reason": "Καιρικά φαινόμενα", "at": ts(3 * day)})
	add("scheduleMeeting", map[string]any{"meetingId": "mt3", "bodyId": "b1", "startsAt": ts(20 * day), "place": "Δημαρχείο", "urgency": "urgent", "urgencyReason": "Κατεπείγον θέμα", "at": ts(19 * day)})
	add("recordQuorumFailure", map[string]any{"meetingId": "mt3", "bodyId": "b1", "present": []string{"m1"}, "at": ts(20*day + 30*time.Minute)})

	// Procurement, by decision d2.
	p1 := "ocds-tst001-p1"
	add("planProcurement", map[string]any{"ocid": p1, "title": "Ανάπλαση πλατείας", "buyerBodyId": "b1", "department": "technikes-ypiresies", "description": "Ανάπλαση της κεντρικής πλατείας",
		"budget": eur(10_000_000), "cpv": []string{"45233141-9"}, "method": "open", "decisionIds": []string{"d2"}, "at": ts(6 * day)})
	add("publishTender", map[string]any{"ocid": p1, "procedure": "open", "ceiling": eur(9_000_000), "deadline": ts(20 * day),
		"documents": []any{doc("Διακήρυξη")}, "items": []any{map[string]any{"id": "1", "description": "Πλακόστρωση", "cpv": "45233141-9", "quantity": 100, "unit": "m2", "unitValue": eur(90_000)}},
		"at": ts(6*day + time.Hour)})
	add("amendTender", map[string]any{"ocid": p1, "ceiling": eur(9_500_000), "deadline": ts(22 * day), "reason": "Παράταση", "decisionId": "d2", "at": ts(7 * day)})
	add("recordBid", map[string]any{"ocid": p1, "bidId": "bid1", "supplierId": s1, "value": eur(8_800_000), "at": ts(10 * day)})
	add("recordBid", map[string]any{"ocid": p1, "bidId": "bid2", "supplierId": s2, "value": eur(8_500_000), "at": ts(11 * day)})
	add("changeBidStatus", map[string]any{"ocid": p1, "bidId": "bid2", "status": "disqualified", "reason": "Ελλιπή δικαιολογητικά", "at": ts(12 * day)})
	add("awardProcurement", map[string]any{"ocid": p1, "awardId": "aw1", "supplierId": s1, "value": eur(8_800_000), "decisionId": "d2", "at": ts(23 * day)})
	add("signContract", map[string]any{"ocid": p1, "contractId": "sym1", "value": eur(8_800_000),
		"period": map[string]any{"start": ts(26 * day), "end": ts(34 * day)}, "documents": []any{doc("Σύμβαση")}, "at": ts(25 * day)})
	add("amendContract", map[string]any{"ocid": p1, "newValue": eur(9_000_000), "reason": "Συμπληρωματικές εργασίες", "decisionId": "d2", "at": ts(30 * day)})
	add("recordPayment", map[string]any{"ocid": p1, "paymentId": "pay1", "amount": eur(9_000_000), "invoiceRef": "ΤΠΥ-1", "at": ts(31 * day)})
	add("completeProcurement", map[string]any{"ocid": p1, "at": ts(35 * day)})
	add("planProcurement", map[string]any{"ocid": "ocds-tst001-p2", "title": "Προμήθεια υλικών", "description": "Υλικά συντήρησης", "buyerBodyId": "b1", "budget": eur(500_000), "cpv": []string{"44111000-1"}, "method": "direct", "at": ts(6 * day)})
	add("cancelProcurement", map[string]any{"ocid": "ocds-tst001-p2", "reason": "Δεν απαιτείται πλέον", "at": ts(7 * day)})

	// A commitment, the committee's minutes and an appeal against them.
	p3 := "ocds-tst001-p3"
	add("planProcurement", map[string]any{"ocid": p3, "title": "Προμήθεια τροφίμων", "description": "Τρόφιμα", "buyerBodyId": "b1", "budget": eur(1_000_000), "cpv": []string{"15300000-1"}, "method": "open", "at": ts(6 * day)})
	add("publishTender", map[string]any{"ocid": p3, "procedure": "open", "ceiling": eur(900_000), "deadline": ts(20 * day), "at": ts(6*day + time.Hour)})
	add("recordCommitment", map[string]any{"ocid": p3, "commitmentId": "aay-1", "amount": eur(1_116_000), "budgetLine": "15-6481.001", "year": 2026, "at": ts(7 * day)})
	add("recordBid", map[string]any{"ocid": p3, "bidId": "bid1", "supplierId": s1, "value": eur(800_000), "at": ts(10 * day)})
	add("recordEvaluation", map[string]any{"ocid": p3, "evaluationId": "ev1", "phase": "financial", "ranking": []string{"bid1"}, "at": ts(21 * day)})
	add("lodgeAppeal", map[string]any{"ocid": p3, "appealId": "ap1", "kind": "objection", "evaluationId": "ev1", "grounds": "Λάθος βαθμολογία", "at": ts(22 * day)})
	add("decideAppeal", map[string]any{"ocid": p3, "appealId": "ap1", "outcome": "dismissed", "reason": "Αβάσιμη", "at": ts(23 * day)})

	// The decisions' later life.
	add("revokeDecision", map[string]any{"decisionId": "d1", "reason": "Μεταγενέστερη απόφαση", "revokingDecisionId": "d2", "at": ts(40 * day)})
	add("annulDecision", map[string]any{"decisionId": "d2", "reason": "Έλεγχος νομιμότητας", "authority": "Αποκεντρωμένη Διοίκηση", "at": ts(41 * day)})

	// Citizens' requests.
	request := func(category, subject string) map[string]any {
		return map[string]any{"category": category, "subject": subject, "requester": citizen}
	}
	steps = append(steps, step{name: "submitRequest", public: true, input: in(request("information", "Αντίγραφο της μελέτης της πλατείας")), after: keep("r1")})
	reqStep := func(name string, m func(id string) map[string]any, of string) {
		steps = append(steps, step{name: name, input: func() map[string]any { return m(got[of]) }})
	}
	// The request takes its protocol number, which names nothing of it.
	steps = append(steps, step{name: "registerProtocolEntry", input: func() map[string]any {
		return map[string]any{"entryId": "prot-" + got["r1"], "registry": "geniko-protokollo", "direction": "incoming", "requestId": got["r1"], "at": ts(10 * day)}
	}, after: protocolNumber(2)})
	reqStep("acknowledgeRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "responseDays": 20, "at": ts(day)}
	}, "r1")
	reqStep("assignRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "department": "technikes-ypiresies", "officerId": "officer-1", "at": ts(2 * day)}
	}, "r1")
	reqStep("answerRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "summary": "Χορηγήθηκε αντίγραφο.", "documents": []any{doc("Απάντηση")}, "at": ts(5 * day)}
	}, "r1")
	reqStep("closeRequest", func(id string) map[string]any { return map[string]any{"requestId": id, "at": ts(6 * day)} }, "r1")
	reqStep("reopenRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "reason": "Ελλιπές αντίγραφο", "responseDays": 20, "at": ts(7 * day)}
	}, "r1")
	steps = append(steps, step{name: "submitRequest", public: true, input: in(request("complaint", "Λακκούβα στην οδό Δοκιμής")), after: keep("r2")})
	reqStep("acknowledgeRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "responseDays": 30, "at": ts(day)}
	}, "r2")
	reqStep("rejectRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "legalBasis": "ν. 2690/1999 άρθ. 5", "reason": "Δεν αφορά τον Δήμο", "at": ts(3 * day)}
	}, "r2")

	steps = append(steps, step{name: "submitRequest", public: true, input: in(request("information", "Αντίγραφο αδείας")), after: keep("r3")})
	reqStep("acknowledgeRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "responseDays": 20, "at": ts(day)}
	}, "r3")
	reqStep("extendRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "days": 10, "reason": "Ο φάκελος αναζητείται στο αρχείο", "at": ts(10 * day)}
	}, "r3")
	reqStep("forwardRequest", func(id string) map[string]any {
		return map[string]any{"requestId": id, "to": "Περιφέρεια Αττικής", "reason": "Αρμόδια αρχή", "at": ts(11 * day)}
	}, "r3")

	// Access, a skip and an erasure.
	admin := e.tokens.Admin().TokenID
	add("grantAccess", map[string]any{"tokenId": "tok-trainee", "role": "clerk", "scope": "b1", "grantedBy": admin, "label": "Ασκούμενος",
		"secretSha256": events.SecretSHA256("a secret the trainee keeps"), "at": ts(-30 * day)})
	add("revokeAccess", map[string]any{"tokenId": "tok-trainee", "reason": "Λήξη άσκησης", "revokedBy": admin, "at": ts(-20 * day)})
	steps = append(steps, step{name: "skipEvent", input: func() map[string]any {
		re := e.lastEvent(t, "body-b1")
		return map[string]any{"eventId": re.ID.String(), "position": uint64(re.Position), "eventStream": re.Stream, "eventVersion": re.Version,
			"eventType": re.Type, "reason": "Δοκιμή παράκαμψης", "skippedBy": e.tokens.Admin().TokenID, "at": ts(42 * day)}
	}})
	add("recordForgetting", map[string]any{"erasureId": "erasure-" + strings.Repeat("0f", 16), "reason": "Αίτημα διαγραφής (GDPR άρθ. 17)", "at": ts(43 * day)})
	return steps
}

// protocolNumber checks the number a protocol entry took.
func protocolNumber(want int64) func(*testing.T, written, map[string]any) {
	return func(t *testing.T, w written, _ map[string]any) {
		if w.Write.Number == nil || *w.Write.Number != want {
			t.Errorf("protocol entry %s took number %v, want %d", w.Write.Stream, w.Write.Number, want)
		}
	}
}

// legacyAgenda appends, as an archive recorded before consultations
// followed their item would hold it, a meeting of b1 whose published item
// has no consultation.
func (e *writeEnv) legacyAgenda(t *testing.T, meeting, item string, at time.Time) {
	t.Helper()
	var evs []events.Event
	for _, p := range []events.Payload{
		events.MeetingScheduled{MeetingID: meeting, BodyID: "b1", StartsAt: at.Add(12 * day), Place: "Δημαρχείο", Urgency: events.MeetingRegular, Call: 1},
		events.MeetingItemAdded{ItemID: item, Title: "Θέμα αρχείου", Documents: []events.DocumentRef{}},
		events.MeetingAgendaPublished{ItemIDs: []string{item}, ConsultationClosesAt: at.Add(11 * day)},
	} {
		ev, err := events.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		ev.OccurredAt = at
		evs = append(evs, ev)
	}
	if _, err := e.store.Append(context.Background(), "meeting-"+meeting, events.NoStream, evs...); err != nil {
		t.Fatal(err)
	}
}

// directComment records a comment through the command service, as a
// citizen service centre would, and returns its author's reference.
func (e *writeEnv) directComment(t *testing.T, id, at string) events.SubjectRef {
	t.Helper()
	ctx := context.Background()
	ref, err := e.vault.Put(ctx, events.Person{Name: citizen["name"].(string)})
	if err != nil {
		t.Fatal(err)
	}
	when, _ := time.Parse(time.RFC3339, at)
	if _, err := e.svc.Handle(ctx, events.SubmitComment{ItemID: "it1", CommentID: id, Kind: events.CommentRemark, Text: "Σχόλιο στο ΚΕΠ",
		SubjectRef: ref, At: when}, events.WithActor(events.PublicActor)); err != nil {
		t.Fatal(err)
	}
	return ref
}

func (e *writeEnv) lastEvent(t *testing.T, stream string) events.RecordedEvent {
	t.Helper()
	evs, err := e.store.ReadStream(context.Background(), stream, events.ReadStreamOptions{Direction: events.Backwards, Limit: 1, From: -1})
	if err != nil || len(evs) != 1 {
		t.Fatalf("last event of %s: %v", stream, err)
	}
	return evs[0]
}

// malformed is input made malformed: said to happen in 2200, or, for a
// citizen's submission, of a kind that does not exist.
func malformed(input map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range input {
		out[k] = v
	}
	switch {
	case out["at"] != nil:
		out["at"] = "2200-01-01T00:00:00Z"
	case out["kind"] != nil:
		out["kind"] = "shouting"
	default:
		out["category"] = "nonsense"
	}
	return out
}

// runScenario runs every step: first a malformed variant, which must be
// refused as BAD_USER_INPUT with nothing written, then the step itself,
// which must write and answer the entity once the read model has it.
func runScenario(t *testing.T, e *writeEnv, steps []step) (ran map[string]bool, bodies []string) {
	ran = map[string]bool{}
	for i, s := range steps {
		input := s.input()
		c := call{query: mutationDoc(t, s.name)}
		if !s.public {
			c.token = e.tokenOf(t, s.name)
		}
		key := s.key
		if key == "" && s.public {
			key = fmt.Sprintf("scenario-step-%03d-%s", i, s.name)
		}
		before := e.head(t)
		c.vars = map[string]any{"input": malformed(input)}
		if key != "" {
			c.vars["key"] = key + "-bad"
		}
		if r, _ := e.do(t, c); r.code() != graphql.CodeBadUserInput {
			t.Fatalf("step %d %s malformed: code %q, want BAD_USER_INPUT: %+v", i, s.name, r.code(), r.Errors)
		}
		if h := e.head(t); h != before {
			t.Fatalf("step %d %s malformed wrote to the log: head %d → %d", i, s.name, before, h)
		}
		c.vars = map[string]any{"input": input}
		if key != "" {
			c.vars["key"] = key
		}
		r, raw := e.do(t, c)
		if len(r.Errors) > 0 {
			t.Fatalf("step %d %s: %+v\ninput: %v", i, s.name, r.Errors, input)
		}
		bodies = append(bodies, raw)
		w, all := decodeWritten(t, s.name, r)
		switch {
		case len(w.Write.EventIDs) == 0 || w.Write.Position <= uint64(before):
			t.Fatalf("step %d %s: wrote %d events at %d, log was at %d", i, s.name, len(w.Write.EventIDs), w.Write.Position, before)
		case !w.Write.CaughtUp:
			t.Fatalf("step %d %s: the read model did not catch up", i, s.name)
		case w.Write.Replayed:
			t.Fatalf("step %d %s: a first attempt replayed", i, s.name)
		}
		for k, v := range all {
			if k != "write" && v == nil {
				t.Errorf("step %d %s: %s is null once caught up", i, s.name, k)
			}
		}
		if pos, _ := r.Extensions["position"].(float64); uint64(pos) < w.Write.Position {
			t.Errorf("step %d %s: extensions.position %v is before the write at %d", i, s.name, r.Extensions["position"], w.Write.Position)
		}
		if s.after != nil {
			s.after(t, w, all)
		}
		ran[s.name] = true
	}
	return ran, bodies
}

func TestEveryMutationRuns(t *testing.T) {
	e := newWriteEnv(t, func(o *graphql.Options) { o.Writes.PublicBurst = 100 })
	ran, bodies := runScenario(t, e, clerkScenario(e, t))
	var missing []string
	for _, f := range schemaDoc.Mutation.Fields {
		if !ran[f.Name] {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the scenario runs no %s", strings.Join(missing, ", "))
	}

	t.Run("the record reads as the clerk recorded it", func(t *testing.T) {
		var out struct {
			Meeting struct {
				Status  string
				Present int
				Items   struct {
					Edges []struct{ Node struct{ Status string } }
				}
				Votes struct{ TotalCount int }
			}
			Decision struct {
				Status   string
				Version  int
				Versions []struct{ Version int }
			}
			Next struct{ Status string }
			Vote struct {
				Result string
				Yes    int
			}
		}
		r, _ := e.do(t, call{query: `{ meeting(id: "mt1") { status present items(first: 5) { edges { node { status } } } votes(first: 5) { totalCount } }
			decision(id: "d1") { status version versions { version } }
			next: meeting(id: "mt4") { status } vote(id: "vm1") { result yes } }`})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		if out.Meeting.Status != "adjourned" || out.Meeting.Votes.TotalCount != 3 || len(out.Meeting.Items.Edges) != 3 {
			t.Errorf("meeting: %+v", out.Meeting)
		}
		if out.Decision.Status != "revoked" || len(out.Decision.Versions) != 2 {
			t.Errorf("decision d1: %+v", out.Decision)
		}
		// The next sitting approved the minutes with the substitute's ballot.
		if out.Next.Status != "adjourned" || out.Vote.Result != "passed" || out.Vote.Yes != 5 {
			t.Errorf("the next sitting %+v, its vote on the minutes %+v", out.Next, out.Vote)
		}
	})

	t.Run("citizens' personal data and tokens' secrets are in no event, answer or log line", func(t *testing.T) {
		var haystacks []string
		evs, err := e.store.ReadAll(context.Background(), events.ReadAllOptions{Limit: events.MaxReadLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			b, _ := json.Marshal(ev)
			haystacks = append(haystacks, string(b))
		}
		haystacks = append(haystacks, bodies...)
		haystacks = append(haystacks, e.logs.String())
		for _, file := range []string{"events.db", "events.db-wal", "readmodel.db", "readmodel.db-wal"} {
			if b, err := os.ReadFile(e.dir + "/" + file); err == nil {
				haystacks = append(haystacks, string(b))
			}
		}
		for name, secret := range e.secrets {
			for _, h := range haystacks {
				if strings.Contains(h, secret) {
					t.Errorf("the %s token's secret appears in %.80q…", name, h[max(0, strings.Index(h, secret)-40):])
					break
				}
			}
		}
		for field, v := range citizen {
			needle := v.(string)
			for _, h := range haystacks {
				if strings.Contains(h, needle) {
					t.Errorf("the citizen's %s %q appears in %.120q…", field, needle, h[max(0, strings.Index(h, needle)-60):])
					break
				}
			}
		}
	})
}
