package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Who records what: the demo's access tokens, themselves granted on the
// record.
var (
	actorAdmin       = events.Actor{TokenID: "tok-demo-admin", Role: string(events.AccessAdmin)}
	actorSecretariat = events.Actor{TokenID: "tok-demo-secretariat", Role: string(events.AccessSecretariat)}
	actorProcurement = events.Actor{TokenID: "tok-demo-procurement", Role: string(events.AccessProcurementOfficer)}
	actorRequests    = events.Actor{TokenID: "tok-demo-requests", Role: string(events.AccessRequestOfficer)}
	actorModerator   = events.Actor{TokenID: "tok-demo-moderator", Role: string(events.AccessModerator)}
	actorClerk       = events.Actor{TokenID: "tok-demo-clerk", Role: string(events.AccessClerk)}
	// actorPublic records what citizens submit on the web themselves: the
	// declared public role, with no token.
	actorPublic = events.PublicActor
)

type member struct{ id, name, faction string }

// body is a deciding body as the planner tracks it.
type body struct {
	id, name string
	kind     events.BodyKind
	settings events.BodySettings
	chair    member
	mayor    *member // the council's mayor, who attends without a vote
	voting   []member
	// meetings per month, and the day of the month of the first.
	perMonth, firstDay int
	place              string
}

type supplier struct {
	vat, name string
	kind      events.SupplierKind
}

const initialCitizens = 400

// populate stores the demo citizens in the vault. Their references are
// random; the world refers to each citizen by their place in w.citizens,
// which the seed decides.
func (w *world) populate(ctx context.Context, v Vault) error {
	for range initialCitizens {
		if err := w.addCitizen(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) addCitizen(ctx context.Context, v Vault) error {
	female := w.chance(0.5)
	first, last := pick(w, maleFirst), pick(w, surnames)[0]
	if female {
		first, last = pick(w, femaleFirst), pick(w, surnames)[1]
	}
	n := len(w.citizens) + 1
	p := events.Person{
		Name:        first + " " + last,
		Email:       fmt.Sprintf("%s.%d@example.gr", pick(w, latinFirst), n),
		Phone:       fmt.Sprintf("69%08d", w.rng.IntN(100_000_000)),
		DisplayName: first + " " + string([]rune(last)[:1]) + ".",
	}
	if w.chance(0.3) {
		p.Phone = ""
	}
	ref, err := v.Put(ctx, p)
	if err != nil {
		return fmt.Errorf("demo: store citizen %d in the vault: %w", n, err)
	}
	w.citizens = append(w.citizens, ref)
	return nil
}

func (w *world) personName() string {
	if w.chance(0.5) {
		return pick(w, maleFirst) + " " + pick(w, surnames)[0]
	}
	return pick(w, femaleFirst) + " " + pick(w, surnames)[1]
}

// factionID is the id of the faction of body b named name; "" for an
// independent.
func factionID(b *body, name string) string {
	for _, f := range factions {
		if f.name == name {
			return b.id + "-" + f.slug
		}
	}
	return ""
}

func (w *world) newMember(faction string) member {
	return member{id: w.nextID("mem"), name: w.personName(), faction: faction}
}

// setup plans the municipality as it stands on the first day: who may
// record, its bodies and their members, and its suppliers. The demo's
// tokens have no secret: only the generator, in process, records with
// them. Its admin, granted by the installer, hands over once the
// municipality is set up (revokes itself), so that the installer may grant
// the first admin of whoever runs the demo (pnyx token create).
func (w *world) setup() []*chain {
	at := w.start.Add(-30 * 24 * time.Hour)
	access := w.newChain("access")
	w.add(access, events.InstallerActor,
		events.GrantAccess{TokenID: actorAdmin.TokenID, Role: events.AccessAdmin, Scope: "*", GrantedBy: events.InstallerTokenID, Label: "Εγκατάσταση", At: at})
	for _, a := range []events.Actor{actorSecretariat, actorProcurement, actorRequests, actorModerator, actorClerk} {
		w.add(access, actorAdmin, events.GrantAccess{TokenID: a.TokenID, Role: events.AccessRole(a.Role), Scope: "*", GrantedBy: actorAdmin.TokenID, At: at.Add(time.Hour)})
	}
	chains := []*chain{access}

	council := &body{id: "kal-dimotiko-symvoulio", name: "Δημοτικό Συμβούλιο " + municipalityOf, kind: events.BodyCouncil,
		settings: events.DefaultBodySettings(33), perMonth: 2, firstDay: 8, place: "Αίθουσα Δημοτικού Συμβουλίου, Δημαρχείο Καλλιθέας"}
	for fi, f := range factions {
		for range f.seats {
			council.voting = append(council.voting, w.newMember(f.name))
		}
		_ = fi
	}
	council.chair = council.voting[0]
	mayor := w.newMember(factions[0].name)
	council.mayor = &mayor

	committee := &body{id: "kal-dimotiki-epitropi", name: "Δημοτική Επιτροπή " + municipalityOf, kind: events.BodyCommittee,
		settings: events.DefaultBodySettings(7), perMonth: 2, firstDay: 12, place: "Γραφείο Δημάρχου, Δημαρχείο Καλλιθέας"}
	committee.settings.NonVotingRoles = nil
	// The council delegates procurement to its committee, which decides
	// those and ordinary matters only.
	committee.settings.Powers = []events.QuestionType{events.QuestionOrdinary, questionProcurement}
	// The committee draws on the council: four of the majority, three of
	// the opposition, chaired by a deputy of the mayor.
	committee.voting = append(committee.voting, council.voting[1:5]...)
	committee.voting = append(committee.voting, council.voting[17], council.voting[24], council.voting[28])
	committee.chair = committee.voting[0]

	w.bodies = []*body{council, committee}
	for i, name := range []string{"Αγίου Νικολάου", "Μεσαριάς"} {
		c := &body{id: []string{"kal-tk-agiou-nikolaou", "kal-tk-mesarias"}[i], name: "Τοπική Κοινότητα " + name, kind: events.BodyLocalCommunity,
			settings: events.DefaultBodySettings(5), perMonth: 2, firstDay: 3 + 5*i, place: "Κοινοτικό Κατάστημα " + name}
		c.settings.NonVotingRoles = nil
		for j := range 5 {
			c.voting = append(c.voting, w.newMember(factions[j%3].name))
		}
		c.chair = c.voting[0]
		w.bodies = append(w.bodies, c)
	}
	var bodyChains []*chain
	for _, b := range w.bodies {
		ch := w.newChain("body "+b.id, access)
		bodyChains = append(bodyChains, ch)
		w.add(ch, actorAdmin, events.RegisterBody{BodyID: b.id, Name: b.name, Kind: b.kind, Settings: b.settings, At: at})
		// Each body's factions are its own organisations: the lists its
		// members sit for, the mayor's in the majority.
		leaders := map[string]string{}
		for _, m := range b.voting {
			if _, ok := leaders[m.faction]; !ok {
				leaders[m.faction] = m.id
			}
		}
		for i, f := range factions {
			if _, ok := leaders[f.name]; !ok {
				continue
			}
			role := events.FactionOpposition
			if i == 0 {
				role = events.FactionMajority
			}
			w.add(ch, actorAdmin, events.FormFaction{FactionID: factionID(b, f.name), BodyID: b.id, Name: f.name, ShortName: f.short, Colour: f.colour, Role: role, At: at})
		}
		if b.mayor != nil {
			w.add(ch, actorAdmin, events.AddMember{BodyID: b.id, MemberID: b.mayor.id, Name: b.mayor.name, FactionID: factionID(b, b.mayor.faction), Role: events.RoleMayor, At: at})
		}
		for i, m := range b.voting {
			role := events.RoleMember
			switch {
			case i == 0:
				role = events.RoleChair
			case i == 1 && b.kind == events.BodyCouncil:
				role = events.RoleViceChair
			case i == 2 && b.kind == events.BodyCouncil:
				role = events.RoleSecretary
			}
			w.add(ch, actorAdmin, events.AddMember{BodyID: b.id, MemberID: m.id, Name: m.name, FactionID: factionID(b, m.faction), Role: role, At: at})
		}
		for _, f := range factions {
			if leader, ok := leaders[f.name]; ok {
				w.add(ch, actorAdmin, events.ChangeFactionLeader{FactionID: factionID(b, f.name), MemberID: leader, At: at.Add(time.Hour)})
			}
		}
		chains = append(chains, ch)
	}

	// A trainee clerk of a local community, whose token ended with the
	// traineeship.
	trainee := w.newChain("access trainee", bodyChains[len(bodyChains)-1])
	w.add(trainee, actorAdmin, events.GrantAccess{TokenID: "tok-demo-trainee", Role: events.AccessClerk, Scope: w.bodies[len(w.bodies)-1].id,
		GrantedBy: actorAdmin.TokenID, Label: "Πρακτική άσκηση", At: at.Add(time.Hour)})
	w.add(trainee, actorAdmin, events.RevokeAccess{TokenID: "tok-demo-trainee", Reason: "Λήξη πρακτικής άσκησης", RevokedBy: actorAdmin.TokenID, At: at.Add(20 * 24 * time.Hour)})
	handover := w.newChain("access handover", append(bodyChains, trainee)...)
	w.add(handover, actorAdmin, events.RevokeAccess{TokenID: actorAdmin.TokenID, Reason: "Ολοκλήρωση εγκατάστασης: παράδοση στον Δήμο",
		RevokedBy: actorAdmin.TokenID, At: at.Add(21 * 24 * time.Hour)})
	chains = append(chains, trainee, handover)

	sup := w.newChain("suppliers", access)
	for i, name := range append(append([]string{}, cooperativeNames...), firmNames...) {
		kind := events.SupplierSME
		switch {
		case i < len(cooperativeNames):
			kind = events.SupplierCooperative
		case w.chance(0.25):
			kind = events.SupplierLarge
		}
		s := supplier{vat: w.afm(), name: name, kind: kind}
		locality := pick(w, localities)
		if kind == events.SupplierCooperative {
			locality = pick(w, localities[:5])
		}
		w.supplier = append(w.supplier, s)
		// Every supplier gives its seat's address and a tenders office to
		// contact: an office, never a person.
		address := &events.PostalAddress{Street: fmt.Sprintf("%s %d", pick(w, streets), w.between(1, 120)),
			Postcode: fmt.Sprintf("370%02d", w.between(1, 99)), Locality: locality, Country: "GR"}
		contact := &events.ContactPoint{Office: "Τμήμα προσφορών", Email: "prosfores@" + s.vat + ".example.gr",
			Telephone: fmt.Sprintf("+30 24260 %05d", w.between(0, 99999))}
		w.add(sup, actorProcurement, events.RegisterSupplier{VATID: s.vat, SupplierDetails: events.SupplierDetails{
			Name: s.name, Kind: s.kind, Locality: locality, Municipality: municipality, Country: "GR"},
			Address: address, ContactPoint: contact, At: at})
	}
	return append(chains, sup)
}

// afm returns a new valid Greek tax number: eight digits and the check
// digit (sum of each digit times 2^(8-i), mod 11, mod 10).
func (w *world) afm() string {
	for {
		d := make([]byte, 9)
		d[0] = "0899"[w.rng.IntN(4)] - '0'
		sum := int(d[0]) << 8
		for i := 1; i < 8; i++ {
			d[i] = byte(w.rng.IntN(10))
			sum += int(d[i]) << (8 - i)
		}
		d[8] = byte(sum % 11 % 10)
		s := make([]byte, 9)
		for i := range d {
			s[i] = '0' + d[i]
		}
		vat := "EL" + string(s)
		if _, dup := w.ids["vat:"+vat]; !dup {
			w.ids["vat:"+vat] = 1
			return vat
		}
	}
}

// newTerm plans the changes of membership at the turn of a year: a council
// member or two resign and the next of their list takes the seat, and now
// and then one leaves their faction.
func (w *world) newTerm(year int) []*chain {
	council := w.bodies[0]
	at := w.yearStart(year).Add(-10 * 24 * time.Hour)
	// The changes follow every meeting of the year before: a member who
	// leaves has cast every ballot of that year.
	ch := w.newChain(fmt.Sprintf("term %d", year), w.council...)
	w.term = nil
	inCommittee := map[string]bool{}
	for _, m := range w.bodies[1].voting {
		inCommittee[m.id] = true
	}
	for range w.between(1, 2) {
		i := w.between(3, len(council.voting)-1)
		old := council.voting[i]
		if inCommittee[old.id] {
			continue
		}
		faction := old.faction
		if faction == "" {
			faction = factions[0].name
		}
		next := w.newMember(faction)
		w.add(ch, actorSecretariat, events.RemoveMember{BodyID: council.id, MemberID: old.id, Reason: "Παραίτηση από το αξίωμα του δημοτικού συμβούλου", At: at})
		w.add(ch, actorSecretariat, events.AddMember{BodyID: council.id, MemberID: next.id, Name: next.name, FactionID: factionID(council, next.faction), Role: events.RoleMember, At: at.Add(time.Hour)})
		council.voting[i] = next
	}
	if w.chance(0.4) {
		i := w.between(3, len(council.voting)-1)
		if m := council.voting[i]; m.faction != "" && !inCommittee[m.id] {
			w.add(ch, actorSecretariat, events.ChangeMemberFaction{BodyID: council.id, MemberID: m.id, FactionID: "", At: at.Add(2 * time.Hour)})
			council.voting[i].faction = ""
		}
	}
	if len(ch.steps) == 0 {
		return nil
	}
	w.term = ch
	return []*chain{ch}
}

// document returns a reference to a file published on the municipality's
// site, with a digest derived from its path so it is stable per seed.
func document(title, path string) events.DocumentRef {
	sum := sha256.Sum256([]byte(path))
	return events.DocumentRef{
		Title:     title,
		MediaType: "application/pdf",
		Size:      int64(40_000 + int(sum[0])*1000 + int(sum[1])),
		SHA256:    hex.EncodeToString(sum[:]),
		URL:       siteURL + "/" + path,
	}
}
