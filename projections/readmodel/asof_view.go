package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pnyx-civic/pnyx/events"
)

// Public views of entities as of a point: the same shapes as the read
// model's rows (a DecisionView is a Decision with its versions), folded
// from the entity's events in place, in linear time, with the same rules as
// the read model's Apply. They hold public fields only, by construction:
// a subject reference has no field to go to.

// publicView folds the events of one entity.
type publicView interface {
	apply(re events.RecordedEvent, p events.Payload)
}

// newView returns the empty public view of an entity of kind, or nil for
// a kind without one (AsOf then folds with the kind's decider).
func newView(kind, id string) publicView {
	switch kind {
	case "body":
		return &BodyView{Body: Body{ID: id}, Memberships: []Membership{}}
	case "meeting":
		return &MeetingView{Meeting: Meeting{ID: id}, Items: []AgendaItem{}, Attendance: []string{}}
	case "consultation":
		return &ConsultationView{ItemID: id, Comments: []Comment{}, index: map[string]int{}, words: map[int]sealedWords{}}
	case "amendment":
		return &AmendmentView{Amendment: Amendment{ID: id}}
	case "vote":
		return &VoteView{Vote: Vote{ID: id}, Ballots: []Ballot{}, index: map[string]int{}}
	case "decision":
		return &DecisionView{Decision: Decision{ID: id}, Versions: []DecisionVersion{}}
	case "procurement":
		return &ProcurementView{Procurement: Procurement{OCID: id, CPV: []string{}}, BidList: []Bid{}, Payments: []Payment{}}
	case "supplier":
		return &SupplierView{Supplier: Supplier{VATID: id}}
	case "request":
		return &RequestView{Request: Request{ID: id}, History: []RequestStatusChange{}}
	}
	return nil
}

// BodyView is a body with every membership period.
type BodyView struct {
	Body
	Memberships []Membership `json:"memberships"`
}

func (v *BodyView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	switch e := p.(type) {
	case events.BodyRegistered:
		settings, _ := json.Marshal(e.Settings)
		v.Name, v.Kind, v.Settings, v.RegisteredAt = e.Name, string(e.Kind), settings, at
	case events.BodySettingsChanged:
		v.Settings, _ = json.Marshal(e.Settings)
	case events.BodyMemberJoined:
		v.Memberships = append(v.Memberships, Membership{BodyID: v.ID, MemberID: e.MemberID, Name: e.Name, Faction: e.Faction, Role: string(e.Role), Since: at})
	case events.BodyMemberLeft:
		for i := range v.Memberships {
			if m := &v.Memberships[i]; m.MemberID == e.MemberID && m.Until.IsZero() {
				m.Until, m.LeftReason = at, e.Reason
			}
		}
	case events.BodyMemberRoleChanged:
		v.change(e.MemberID, at, func(m *Membership) { m.Role = string(e.Role) })
	case events.BodyMemberFactionChanged:
		v.change(e.MemberID, at, func(m *Membership) { m.Faction = e.Faction })
	}
}

func (v *BodyView) change(member string, at time.Time, set func(*Membership)) {
	for i := range v.Memberships {
		if m := v.Memberships[i]; m.MemberID == member && m.Until.IsZero() {
			v.Memberships[i].Until = at
			next := Membership{BodyID: m.BodyID, MemberID: m.MemberID, Name: m.Name, Faction: m.Faction, Role: m.Role, Since: at}
			set(&next)
			v.Memberships = append(v.Memberships, next)
			return
		}
	}
}

// MeetingView is a meeting with its agenda and attendance.
type MeetingView struct {
	Meeting
	Items      []AgendaItem `json:"items"`
	Attendance []string     `json:"attendance"`
}

func (v *MeetingView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	switch e := p.(type) {
	case events.MeetingScheduled:
		v.BodyID, v.Status, v.StartsAt, v.Place = e.BodyID, string(events.MeetingIsScheduled), e.StartsAt.UTC(), e.Place
		v.Urgency, v.UrgencyReason, v.Call = string(e.Urgency), e.UrgencyReason, max(e.Call, 1)
	case events.MeetingItemAdded:
		v.Items = append(v.Items, AgendaItem{ID: e.ItemID, MeetingID: v.ID, Seq: len(v.Items) + 1, Title: e.Title, Description: e.Description,
			QuestionType: string(e.QuestionType), Presenter: e.Presenter, UrgentVoteID: e.UrgentVoteID, Status: ItemOnAgenda,
			Documents: cloneDocs(e.Documents)})
	case events.MeetingItemWithdrawn:
		for i := range v.Items {
			if v.Items[i].ID == e.ItemID {
				v.Items[i].Status, v.Items[i].WithdrawnReason = ItemWithdrawn, e.Reason
			}
		}
	case events.MeetingAgendaPublished:
		v.AgendaPublishedAt = at
		for i := range v.Items {
			if slices.Contains(e.ItemIDs, v.Items[i].ID) && v.Items[i].Status != ItemWithdrawn {
				v.Items[i].Status, v.Items[i].ConsultationClosesAt = ItemPublished, e.ConsultationClosesAt.UTC()
			}
		}
	case events.MeetingConvened:
		v.Status, v.Call, v.ConvenedAt, v.PresidingMemberID, v.Seats = string(events.MeetingIsConvened), e.Call, at, e.PresidingMemberID, e.Seats
		for _, m := range e.Present {
			v.arrive(m)
		}
	case events.MeetingQuorumFailed:
		v.Status, v.Call, v.Seats = string(events.MeetingIsInquorate), e.Call, e.Seats
	case events.MeetingMemberArrived:
		v.arrive(e.MemberID)
	case events.MeetingMemberDeparted:
		if i, ok := slices.BinarySearch(v.Attendance, e.MemberID); ok {
			v.Attendance = slices.Delete(v.Attendance, i, i+1)
		}
		v.Present = len(v.Attendance)
	case events.MeetingAdjourned:
		v.Status, v.AdjournedAt = string(events.MeetingIsAdjourned), at
	case events.MeetingPostponed:
		v.StartsAt = e.StartsAt.UTC()
	case events.MeetingCancelled:
		v.Status, v.CancelledReason = string(events.MeetingIsCancelled), e.Reason
	}
}

func (v *MeetingView) arrive(member string) {
	if i, ok := slices.BinarySearch(v.Attendance, member); !ok {
		v.Attendance = slices.Insert(v.Attendance, i, member)
	}
	v.Present = len(v.Attendance)
}

// ConsultationView is the consultation on an agenda item with its public
// comments.
type ConsultationView struct {
	ItemID    string    `json:"item_id"`
	MeetingID string    `json:"meeting_id"`
	Status    string    `json:"status"`
	OpenedAt  time.Time `json:"opened_at"`
	ClosesAt  time.Time `json:"closes_at"`
	ClosedAt  time.Time `json:"closed_at"`
	Comments  []Comment `json:"comments"`
	index     map[string]int
	words     map[int]sealedWords // by index in Comments, opened by openWords
}

// sealedWords are a citizen's words as an event holds them, opened once
// the view is folded (opener).
type sealedWords struct {
	author events.AuthorRef
	entity string
	sealed events.Sealed
	legacy string
}

func (s sealedWords) open(ctx context.Context, o Opener) (string, error) {
	text, _, err := openWords(ctx, o, s.author, s.entity, s.sealed, s.legacy)
	return text, err
}

// opener is a view holding citizens' words, opened after folding.
type opener interface {
	openWords(ctx context.Context, o Opener) error
}

func (v *ConsultationView) openWords(ctx context.Context, o Opener) error {
	for i, w := range v.words {
		if v.Comments[i].Status != CommentPublished {
			continue
		}
		text, err := w.open(ctx, o)
		if err != nil {
			return err
		}
		v.Comments[i].Text = text
	}
	return nil
}

func (v *ConsultationView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	switch e := p.(type) {
	case events.ConsultationOpened:
		v.MeetingID, v.Status, v.OpenedAt, v.ClosesAt = e.MeetingID, "open", at, e.ClosesAt.UTC()
	case events.ConsultationCommentSubmitted:
		c := Comment{ID: e.CommentID, ItemID: v.ItemID, Kind: string(e.Kind), Status: CommentPublished,
			DisplayName: CommentDisplayName, SubmittedAt: at}
		w := sealedWords{author: e.Author, entity: events.CommentEntity(v.ItemID, e.CommentID), sealed: e.Text, legacy: e.LegacyText}
		if i, ok := v.index[e.CommentID]; ok {
			v.Comments[i], v.words[i] = c, w
			return
		}
		v.index[e.CommentID] = len(v.Comments)
		v.words[len(v.Comments)] = w
		v.Comments = append(v.Comments, c)
	case events.ConsultationCommentModerated:
		if i, ok := v.index[e.CommentID]; ok {
			v.Comments[i].Status, v.Comments[i].ModerationReason, v.Comments[i].Text = CommentHidden, e.Reason, ""
		}
	case events.ConsultationCommentWithdrawn:
		if i, ok := v.index[e.CommentID]; ok {
			v.Comments[i].Status, v.Comments[i].Text = CommentWithdrawn, ""
		}
	case events.ConsultationClosed:
		v.Status, v.ClosedAt = "closed", at
	}
}

// AmendmentView is an amendment.
type AmendmentView struct{ Amendment }

func (v *AmendmentView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	switch e := p.(type) {
	case events.AmendmentProposed:
		v.BodyID, v.MeetingID, v.ItemID, v.ProposerID, v.Text, v.Status, v.ProposedAt = e.BodyID, e.MeetingID, e.ItemID, e.ProposerID, e.Text, "proposed", at
	case events.AmendmentWithdrawn:
		v.Status, v.Reason, v.DecidedAt = "withdrawn", e.Reason, at
	case events.AmendmentAccepted:
		v.Status, v.VoteID, v.Reason, v.DecidedAt = "accepted", e.VoteID, e.Note, at
	case events.AmendmentRejected:
		v.Status, v.VoteID, v.Reason, v.DecidedAt = "rejected", e.VoteID, e.Reason, at
	}
}

// VoteView is a vote with its ballots, by member.
type VoteView struct {
	Vote
	Ballots []Ballot `json:"ballots"`
	index   map[string]int
}

func (v *VoteView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	switch e := p.(type) {
	case events.VoteOpened:
		v.BodyID, v.MeetingID, v.ItemID, v.AmendmentID, v.Question = e.BodyID, e.MeetingID, e.ItemID, e.AmendmentID, e.Question
		v.QuestionType, v.Method, v.Status, v.OpenedAt = string(e.QuestionType), string(e.Method), "open", at
	case events.VoteBallotCast:
		if i, ok := v.index[e.MemberID]; ok {
			v.Ballots[i].Choice = string(e.Choice)
			return
		}
		v.index[e.MemberID] = len(v.Ballots)
		v.Ballots = append(v.Ballots, Ballot{VoteID: v.ID, MemberID: e.MemberID, Choice: string(e.Choice)})
	case events.VoteBallotChanged:
		if i, ok := v.index[e.MemberID]; ok {
			v.Ballots[i].Choice = string(e.Choice)
			v.Ballots[i].Changes++
		}
	case events.VoteClosed:
		v.Status, v.ClosedAt, v.Yes, v.No, v.Abstain, v.Present, v.Absent = "closed", at, e.Yes, e.No, e.Abstain, e.Present, e.Absent
		v.Result, v.Majority, v.ChairTieBreak = string(e.Result), majorityText(e.Majority), e.ChairTieBreak
	}
}

// DecisionView is a decision in its current version with every version.
type DecisionView struct {
	Decision
	Versions []DecisionVersion `json:"versions"`
}

func (v *DecisionView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	switch e := p.(type) {
	case events.DecisionAdopted:
		v.BodyID, v.Number, v.Year, v.MeetingID, v.ItemID, v.VoteID = e.BodyID, fmt.Sprintf("%d/%d", e.Number, e.Year), e.Year, e.MeetingID, e.ItemID, e.VoteID
		if e.Exception != nil {
			v.ExceptionKind, v.ExceptionBasis = e.Exception.Kind, e.Exception.LegalBasis
		}
		v.Title, v.Text, v.LegalBasis, v.Status, v.Version, v.AdoptedAt = e.Title, e.Text, e.LegalBasis, string(events.DecisionIsAdopted), 1, at
		v.version(re, 1, e.Title, e.Text, "", e.Documents)
	case events.DecisionPublished:
		v.Register, v.RegisterID, v.PublishedVersion, v.DocumentSHA256 = e.Register, e.RegisterID, e.Version, e.DocumentSHA256
		if v.PublishedAt.IsZero() {
			v.PublishedAt = at
		}
	case events.DecisionCorrected:
		v.Title, v.Text, v.Version = e.Title, e.Text, e.Version
		v.version(re, e.Version, e.Title, e.Text, e.Reason, e.Documents)
	case events.DecisionRevoked:
		v.Status, v.StatusReason, v.RevokedBy = string(events.DecisionIsRevoked), e.Reason, e.RevokingDecisionID
	case events.DecisionAnnulled:
		v.Status, v.StatusReason, v.AnnulledBy = string(events.DecisionIsAnnulled), e.Reason, e.Authority
	}
}

func (v *DecisionView) version(re events.RecordedEvent, n int, title, text, reason string, docs []events.DocumentRef) {
	v.Versions = append(v.Versions, DecisionVersion{Version: n, Title: title, Text: text, Reason: reason,
		At: re.OccurredAt.UTC(), RecordedAt: re.RecordedAt.UTC(), Documents: cloneDocs(docs)})
}

// ProcurementView is a contracting process with its bids and payments.
type ProcurementView struct {
	Procurement
	BidList  []Bid     `json:"bid_list"`
	Payments []Payment `json:"payments"`
}

func (v *ProcurementView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	money := func(m events.Money) *events.Money {
		if m.Currency == "" && m.Cents == 0 {
			return nil
		}
		return &m
	}
	switch e := p.(type) {
	case events.ProcurementPlanned:
		v.Title, v.Description, v.BuyerBodyID, v.Department, v.Method = e.Title, e.Description, e.BuyerBodyID, e.Department, string(e.Method)
		v.Status, v.Budget, v.PlannedAt, v.Paid.Currency = ProcurementPlanned, money(e.Budget), at, e.Budget.Currency
		for _, c := range e.CPV {
			if !slices.Contains(v.CPV, c) {
				v.CPV = append(v.CPV, c)
			}
		}
	case events.ProcurementTenderPublished:
		v.Status, v.Procedure, v.Ceiling, v.Deadline, v.TenderPublishedAt = ProcurementTendering, e.Procedure, money(e.Ceiling), e.Deadline.UTC(), at
	case events.ProcurementTenderAmended:
		if c := money(e.Ceiling); c != nil {
			v.Ceiling = c
		}
		if !e.Deadline.IsZero() {
			v.Deadline = e.Deadline.UTC()
		}
	case events.ProcurementBidReceived:
		received := e.ReceivedAt.UTC()
		if e.ReceivedAt.IsZero() {
			received = at
		}
		b := Bid{OCID: v.OCID, BidID: e.BidID, SupplierVATID: e.SupplierID, Value: money(e.Value), ReceivedAt: received}
		if i := slices.IndexFunc(v.BidList, func(x Bid) bool { return x.BidID == e.BidID }); i >= 0 {
			v.BidList[i] = b
		} else {
			v.BidList = append(v.BidList, b)
		}
		v.Bids = len(v.BidList)
	case events.ProcurementAwarded:
		v.Status, v.SupplierVATID, v.Awarded, v.AwardDecisionID, v.AwardedAt = ProcurementAwarded, e.SupplierID, money(e.Value), e.DecisionID, at
	case events.ProcurementContractSigned:
		v.Status, v.ContractID, v.ContractValue, v.SignedAt = ProcurementContract, e.ContractID, money(e.Value), at
		v.ContractStart, v.ContractEnd = e.Period.Start.UTC(), e.Period.End.UTC()
		if v.ContractValue != nil {
			v.Paid.Currency = v.ContractValue.Currency
		}
	case events.ProcurementContractAmended:
		if c := money(e.Value); c != nil {
			v.ContractValue = c
			v.Paid.Currency = c.Currency
		}
		if !e.Period.Start.IsZero() {
			v.ContractStart = e.Period.Start.UTC()
		}
		if !e.Period.End.IsZero() {
			v.ContractEnd = e.Period.End.UTC()
		}
	case events.ProcurementPaymentMade:
		v.Payments = append(v.Payments, Payment{OCID: v.OCID, PaymentID: e.PaymentID, Amount: e.Amount, InvoiceRef: e.InvoiceRef, PaidAt: at})
		v.Paid.Cents += e.Amount.Cents
	case events.ProcurementCancelled:
		v.Status, v.CancelledReason, v.ClosedAt = ProcurementCancelled, e.Reason, at
	case events.ProcurementCompleted:
		v.Status, v.ClosedAt = ProcurementCompleted, at
	}
}

// SupplierView is a supplier.
type SupplierView struct{ Supplier }

func (v *SupplierView) apply(re events.RecordedEvent, p events.Payload) {
	switch e := p.(type) {
	case events.SupplierRegistered:
		v.Name, v.Kind, v.Locality, v.Municipality, v.Country, v.RegisteredAt = e.Name, string(e.Kind), e.Locality, e.Municipality, e.Country, re.OccurredAt.UTC()
	case events.SupplierDetailsChanged:
		v.Name, v.Kind, v.Locality, v.Municipality, v.Country = e.Name, string(e.Kind), e.Locality, e.Municipality, e.Country
	}
}

// RequestView is a citizen's request with its status history, without the
// requester.
type RequestView struct {
	Request
	History []RequestStatusChange `json:"history"`
	words   sealedWords
}

func (v *RequestView) openWords(ctx context.Context, o Opener) error {
	text, err := v.words.open(ctx, o)
	v.Subject = text
	return err
}

func (v *RequestView) apply(re events.RecordedEvent, p events.Payload) {
	at := re.OccurredAt.UTC()
	or := func(t time.Time) time.Time {
		if t.IsZero() {
			return at
		}
		return t.UTC()
	}
	var detail string
	switch e := p.(type) {
	case events.RequestSubmitted:
		v.Category, v.Channel, v.AssistedBy = string(e.Category), string(e.Channel), e.AssistedBy
		v.words = sealedWords{author: e.Author, entity: events.RequestEntity(v.ID), sealed: e.Subject, legacy: e.LegacySubject}
		v.Status, v.SubmittedAt, detail = string(events.RequestStatusSubmitted), or(e.SubmittedAt), string(e.Channel)
	case events.RequestAcknowledged:
		v.Status, v.AcknowledgedAt, v.ResponseDays, v.DueAt = string(events.RequestStatusAcknowledged), at, e.ResponseDays, e.DueAt.UTC()
		detail = "due " + e.DueAt.UTC().Format(time.DateOnly)
	case events.RequestAssigned:
		v.Status, v.Department, v.OfficerID, detail = string(events.RequestStatusAssigned), e.Department, e.OfficerID, e.Department
	case events.RequestAnswered:
		v.Status, v.AnsweredAt, v.AnswerSummary = string(events.RequestStatusAnswered), or(e.AnsweredAt), e.Summary
	case events.RequestRejected:
		v.Status, v.AnsweredAt, v.LegalBasis, v.AnswerSummary, detail = string(events.RequestStatusRejected), or(e.RejectedAt), e.LegalBasis, e.Reason, e.LegalBasis
	case events.RequestClosed:
		v.Status, v.ClosedAt = string(events.RequestStatusClosed), or(e.ClosedAt)
	case events.RequestReopened:
		v.Status, v.ResponseDays, v.DueAt, v.AnsweredAt, v.ClosedAt = string(events.RequestStatusReopened), e.ResponseDays, e.DueAt.UTC(), time.Time{}, time.Time{}
		v.Reopened++
		detail = e.Reason
	default:
		return
	}
	v.History = append(v.History, RequestStatusChange{Status: v.Status, At: at, Detail: detail})
}

// cloneDocs copies documents, as an empty list rather than nil, like the
// read model's queries.
func cloneDocs(docs []events.DocumentRef) []events.DocumentRef {
	return append([]events.DocumentRef{}, docs...)
}

// kindOf returns the kind part of a stream name.
func kindOf(stream string) (kind, id string) {
	kind, id, _ = strings.Cut(stream, "-")
	return kind, id
}
