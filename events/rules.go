package events

// CommandRules says, for a clerk or an auditor, what one command records
// and what the rules refuse. docs/EVENTS.md lists them next to the events
// (events/internal/eventsdoc); a test keeps the list complete. Every
// command also passes the rules of every command (CommonRules).
type CommandRules struct {
	Command   string   // the Go type, such as "AdoptDecision"
	Aggregate string   // the stream kind it writes
	Events    []string // the event types it can record
	Rules     []string // what it refuses, with the error code
}

// CommonRules hold for every command, checked by the command service
// before and after its decider.
var CommonRules = []string{
	"invalid: any text not valid UTF-8, or with a control character (newline and tab only in long texts) or a bidirectional embedding, override or isolate character (U+202A to U+202E, U+2066 to U+2069); the message names the field and the character's position. Text is stored in Unicode NFC, trimmed, within its length limit (titles and names 500 characters, reasons 2000, texts 100 000).",
	"invalid: an id outside the id alphabet: letters, digits and - _ . : only, not starting or ending with a separator, no \"..\", at most 100 bytes (OCDS ocids and VAT ids keep their own formats).",
	"invalid: the time it happened missing, before the earliest date of the record (default 1990-01-01) or more than the allowance (default 1 day) after the clock; any other time outside the record's dates (up to 100 years ahead).",
	"conflict: the time it happened earlier than the latest step of its own record (entries such as comments, ballots, bids and their status, payments and attendance only follow the steps before them).",
	"conflict: an idempotency key already used on the stream for another command; the same command again returns the first outcome and writes nothing.",
	"conflict: a fact it rests on (another record it read) changed before it was recorded and kept changing; the command, its number, its claims and the versions of its facts are written in one atomic step, or not at all.",
}

// Rules returns the rules of every command, by aggregate and command.
func Rules() []CommandRules { return commandRules }

var commandRules = []CommandRules{
	{"GrantAccess", "access", []string{"access.granted", "adminroll.enrolled"}, []string{
		"invalid: an unknown role, a reserved token id (installer, public), a scope for a role without body commands (procurement_officer, request_officer, admin), an expiry not after the grant, a malformed secret hash",
		"forbidden: a token granting access to itself; a granting token that is not an admin in force (read atomically with the grant)",
		"forbidden: the installer granting anything but the first admin, or an admin while one is in force (the admin roll, read atomically)",
		"not_found: a scope naming no registered body", "conflict: a token id already granted (never reused)",
		"records: an admin grant enters the admin roll in the same step"}},
	{"RevokeAccess", "access", []string{"access.revoked", "adminroll.struck_off"}, []string{
		"forbidden: a revoking token that is not an admin in force", "not_found: a token never granted", "conflict: a token already revoked",
		"records: an admin's revocation strikes it off the admin roll in the same step"}},

	{"ProposeAmendment", "amendment", []string{"amendment.proposed"}, []string{
		"conflict: an amendment id already used", "invalid: a meeting of another body", "conflict: a meeting that is not scheduled or sitting",
		"not_found: an item not on the agenda", "conflict: a withdrawn item", "forbidden: a proposer who does not sit in the body"}},
	{"WithdrawAmendment", "amendment", []string{"amendment.withdrawn"}, []string{"not_found: an amendment never proposed", "conflict: an amendment already decided or withdrawn"}},
	{"AcceptAmendment", "amendment", []string{"amendment.accepted"}, []string{
		"conflict: an amendment already decided", "invalid: accepted without a vote and without a note saying by whom",
		"conflict: a vote that is not on the amendment, not closed or did not pass"}},
	{"RejectAmendment", "amendment", []string{"amendment.rejected"}, []string{
		"conflict: an amendment already decided", "invalid: rejected without a vote and without a reason",
		"conflict: a vote that is not on the amendment, not closed or passed"}},

	{"RegisterBody", "body", []string{"body.registered"}, []string{
		"invalid: an unknown body kind or invalid settings (seats, notice, quorum and majority fractions, majority base present or cast)", "conflict: a body id already used"}},
	{"ChangeBodySettings", "body", []string{"body.settings_changed"}, []string{"not_found: an unknown body", "invalid: settings out of range or without a reason", "conflict: fewer seats than voting members"}},
	{"AddMember", "body", []string{"body.member_joined"}, []string{
		"invalid: an unknown role", "conflict: a member already sitting, all seats taken, or a second chair, vice chair or secretary",
		"not_found: a faction that does not exist", "invalid: a faction of another body", "conflict: a dissolved faction"}},
	{"RemoveMember", "body", []string{"body.member_left"}, []string{"not_found: a member who does not sit in the body"}},
	{"ChangeMemberRole", "body", []string{"body.member_role_changed"}, []string{"not_found: a member who does not sit in the body", "conflict: the same role, a taken single role, or no seat left for a voting role"}},
	{"ChangeMemberFaction", "body", []string{"body.member_faction_changed"}, []string{"not_found: a member who does not sit in the body", "conflict: the same faction",
		"not_found: a faction that does not exist", "invalid: a faction of another body", "conflict: a dissolved faction"}},

	{"FormFaction", "faction", []string{"faction.formed"}, []string{
		"invalid: an empty name or short name (at most 20 characters), a colour that is not #rrggbb, a role other than majority or opposition",
		"conflict: a faction id already used", "not_found: an unknown body"}},
	{"ChangeFactionDetails", "faction", []string{"faction.details_changed"}, []string{"not_found: an unknown faction", "conflict: a dissolved faction, or details that change nothing"}},
	{"ChangeFactionLeader", "faction", []string{"faction.leader_changed"}, []string{"not_found: an unknown faction", "conflict: a dissolved faction, the same leader, or a leader who does not sit in the body for the faction"}},
	{"ChangeFactionRole", "faction", []string{"faction.role_changed"}, []string{"not_found: an unknown faction", "invalid: a role other than majority or opposition, no reason", "conflict: a dissolved faction, or the same role"}},
	{"DissolveFaction", "faction", []string{"faction.dissolved"}, []string{"not_found: an unknown faction", "invalid: no reason", "conflict: already dissolved, or a member still sitting for it"}},

	{"OpenConsultation", "consultation", []string{"consultation.opened"}, []string{
		"conflict: a consultation already open on the item", "not_found: an item not on the meeting's agenda",
		"conflict: a withdrawn or unpublished item, a cancelled meeting, or a consultation past its closing time"}},
	{"SubmitComment", "consultation", []string{"consultation.comment_submitted"}, []string{
		"invalid: an unknown comment kind, an empty or overlong comment, an invalid subject reference",
		"not_found: no consultation on the item", "conflict: a consultation closed (also by the item's withdrawal) or past its time; a comment id already used",
		"conflict: a comment dated before the consultation opened"}},
	{"ModerateComment", "consultation", []string{"consultation.comment_moderated"}, []string{"invalid: no public reason", "not_found: an unknown comment", "conflict: a comment already hidden or withdrawn"}},
	{"WithdrawComment", "consultation", []string{"consultation.comment_withdrawn"}, []string{"not_found: an unknown comment", "forbidden: anyone but the author", "conflict: already withdrawn, or the consultation closed"}},
	{"CloseConsultation", "consultation", []string{"consultation.closed"}, []string{"conflict: already closed", "invalid: closed early without a reason"}},

	{"AdoptDecision", "decision", []string{"decision.adopted", "counter.advanced", "claim.taken"}, []string{
		"invalid: neither or both of a vote and an exception; an exception kind other than mayor_decision or deputy_mayor_decision (or imported, for an imported record only: docs/IMPORTS.md); a deputy mayor's decision without its office, a mayor's with one; an exception under a body that is not the council; a year that does not fit the adoption",
		"conflict: a decision id already used", "not_found: an unknown body or vote",
		"invalid: a vote of another body, meeting or item",
		"conflict: a vote on an urgency or an amendment, not closed, or not passed; a vote that approved minutes",
		"forbidden: a question type outside the body's delegated powers (a committee's settings list the question types it decides)",
		"conflict: a vote that already gave a decision (one decision per passed vote, claimed atomically)",
		"conflict: adopted before its vote closed",
		"numbering: each office its own register per year: the body's (decisionnumber-<body>-<year>; a committee is a body of its own), the mayor's (decisionnumber-<body>~mayor_decision-<year>), each deputy mayor's (decisionnumber-<body>~deputy_mayor_decision~<office>-<year>); a number is taken only by a recorded decision, so numbers run without gaps"}},
	{"PublishDecision", "decision", []string{"decision.published", "claim.taken"}, []string{
		"invalid: a register id that is not a Diavgeia ADA (seven to ten and three Greek capitals or digits joined by a hyphen), or a bad document hash",
		"not_found: an unknown decision", "conflict: a decision not in force; another register id than its first publication's; a version already published",
		"conflict: a register id already given to another decision"}},
	{"ReissueDecision", "decision", []string{"decision.reissued", "claim.taken"}, []string{
		"invalid: no reason, a bad document hash, a new id not of the register's format (a Diavgeia ADA)",
		"conflict: a decision never published or not in force; an id it already had",
		"conflict: a register id already given to another decision",
		"records: the link from the previous register id to the new one; the new id is the decision's from then on"}},
	{"CorrectDecision", "decision", []string{"decision.corrected"}, []string{"invalid: no reason, or invalid content", "conflict: a decision not in force, or a correction that changes nothing"}},
	{"RevokeDecision", "decision", []string{"decision.revoked"}, []string{"invalid: no reason, or a decision revoking itself", "conflict: a decision not in force", "not_found: an unknown revoking decision", "conflict: a revoking decision not in force"}},
	{"AnnulDecision", "decision", []string{"decision.annulled"}, []string{"invalid: no reason or authority", "conflict: already annulled"}},

	{"ScheduleMeeting", "meeting", []string{"meeting.scheduled"}, []string{
		"invalid: a call other than 1 to 3; an urgency without a reason or a regular meeting with one; a later call without its previous meeting",
		"conflict: a meeting id already used; a start not after the call", "not_found: an unknown body or previous meeting",
		"conflict: a second or third call that does not follow a failed call of the one before; the third call carries the original agenda"}},
	{"AddItem", "meeting", []string{"meeting.item_added", "claim.taken"}, []string{
		"conflict: an item already on the agenda; an item id used by another meeting (item ids are unique across meetings)",
		"conflict: after the meeting started; out of the agenda without a passed urgency vote, or at a third call",
		"conflict: at a third call, an item that does not carry an item of the original agenda, or carries one twice"}},
	{"WithdrawItem", "meeting", []string{"meeting.item_withdrawn", "consultation.closed"}, []string{
		"not_found: an item not on the agenda", "conflict: already withdrawn, or after the meeting started",
		"records: the item's open consultation is closed in the same step"}},
	{"PublishAgenda", "meeting", []string{"meeting.agenda_published", "consultation.opened", "consultation.reopened"}, []string{
		"conflict: nothing to publish; later than the body's notice (5 days by default) before a regular meeting; a consultation closing before publication or after the start",
		"records: the consultation on each item published opens in the same step; after a postponement, the items are published again for the new date and the consultations the postponement closed reopen"}},
	{"ConveneMeeting", "meeting", []string{"meeting.convened"}, []string{
		"invalid: an empty or repeated attendance, a presiding member not present", "not_found: a member who does not sit in the body",
		"conflict: a meeting not waiting to sit, before its start, without quorum for its call, or without a published agenda"}},
	{"RecordQuorumFailure", "meeting", []string{"meeting.quorum_failed"}, []string{"conflict: a meeting not waiting to sit, before its start, or with quorum"}},
	{"RecordArrival", "meeting", []string{"meeting.member_arrived"}, []string{"conflict: a meeting not sitting, a member already present", "not_found: a member who does not sit in the body"}},
	{"RecordDeparture", "meeting", []string{"meeting.member_departed"}, []string{"conflict: a meeting not sitting, a member not present, the presiding member"}},
	{"AdjournMeeting", "meeting", []string{"meeting.adjourned"}, []string{"conflict: a meeting not sitting"}},
	{"PublishMinutes", "meeting", []string{"meeting.minutes_published"}, []string{"invalid: no documents", "conflict: a meeting not adjourned, or minutes already published"}},
	{"PostponeMeeting", "meeting", []string{"meeting.postponed", "consultation.closed"}, []string{"invalid: no new start or reason", "conflict: after the start, or not later than the current start",
		"records: the open consultations of its items close in the same step, until the agenda is published for the new date"}},
	{"CancelMeeting", "meeting", []string{"meeting.cancelled", "consultation.closed"}, []string{"invalid: no reason", "conflict: a meeting that has sat or is not scheduled",
		"records: the open consultations of its items close in the same step"}},
	{"StepOut", "meeting", []string{"meeting.member_stepped_out"}, []string{
		"conflict: a meeting not sitting; a member not present, already stepped out of the item or with a conflict of interest on it",
		"not_found: an item not on the agenda", "conflict: a withdrawn item",
		"attendance: the member is absent for the item's vote (a ballot on it is forbidden) and counts as absent for its quorum and majority"}},
	{"DeclareConflict", "meeting", []string{"meeting.conflict_declared"}, []string{
		"invalid: no reason", "not_found: an item not on the agenda, a member who does not sit in the body",
		"conflict: a meeting that is neither scheduled nor sitting; a withdrawn item; a conflict already declared",
		"attendance: the member takes no part in the item's vote (a ballot on it is forbidden), is left out of its quorum and majority base, and is recorded as recused on the vote"}},
	{"JustifyAbsence", "meeting", []string{"meeting.absence_justified"}, []string{
		"invalid: no reason", "not_found: a member who does not sit in the body",
		"conflict: a cancelled meeting; a member present; an absence already justified"}},
	{"SeatSubstitute", "meeting", []string{"meeting.substitute_seated"}, []string{
		"conflict: a body without substitutes (its settings); a meeting neither scheduled nor sitting; a member who is not a substitute",
		"not_found: a substitute who does not sit in the body, a member without a vote",
		"conflict: the member present or already substituted; the substitute present or already standing for another",
		"attendance: the substitute votes and counts toward quorum in the member's seat; the member's arrival is refused"}},

	{"DraftMinutes", "minutes", []string{"minutes.drafted"}, []string{
		"invalid: no documents; a decision named twice; a meeting of another body",
		"conflict: minutes already drafted; a meeting not adjourned", "not_found: an unknown meeting or decision",
		"conflict: a decision not taken at the meeting (each decision refers to the minutes that record it)"}},
	{"CorrectMinutes", "minutes", []string{"minutes.corrected"}, []string{
		"not_found: minutes never drafted", "invalid: no reason or no documents", "conflict: a correction that changes nothing",
		"versions: every earlier version is kept; corrected minutes need a new approval"}},
	{"ApproveMinutes", "minutes", []string{"minutes.approved", "claim.taken"}, []string{
		"not_found: minutes never drafted, an unknown approving meeting or vote", "conflict: minutes already approved; approved at their own meeting",
		"invalid: an approving meeting of another body, a vote held at another meeting",
		"conflict: a vote not on an item of question type minutes, not closed or not passed; a vote that already decided something else (one outcome per vote, claimed atomically)",
		"conflict: approved before its vote closed"}},

	{"RegisterProtocolEntry", "protocol", []string{"protocol.registered", "counter.advanced", "claim.taken"}, []string{
		"invalid: an unknown direction; no subject (a document's summary by an official); a year other than the registration's",
		"invalid: an incoming entry of a request with a subject or correspondent (the citizen's, sealed in the request); a reply that is not outgoing",
		"conflict: an entry id already used", "not_found: an unknown request, decision or entry replied to",
		"conflict: a reply to an outgoing entry; a request that already has its protocol number (one incoming entry per request, claimed atomically)",
		"numbering: each registry its own numbers per year (protocolnumber-<registry>-<year>), without gaps"}},

	{"PlanProcurement", "procurement", []string{"procurement.planned"}, []string{
		"invalid: an ocid not of the OCDS form; no title; bad or repeated CPV codes; a budget not positive or a currency not of three letters A to Z; an unknown method",
		"conflict: an ocid already used", "not_found: a buyer body or a cited decision that does not exist",
		"invalid: under ν. 4412/2016, an unknown procedure or category, a method other than the procedure's, a VAT rate outside 0 to 10000 basis points, an ΑΔΑΜ not of the form 26REQ012345678",
		"conflict: a direct award above the buyer's direct-award threshold (default 30,000 € net for supplies and services, art. 118), or a simplified tender above its threshold (default 60,000 € net, art. 117)",
		"records: the procedure's OCDS method, the budget with VAT, and the thresholds of its category with their legal basis as the buyer's settings stand"}},
	{"PublishTender", "procurement", []string{"procurement.tender_published"}, []string{"invalid: a deadline not after publication", "conflict: not planned; a ceiling above the budget",
		"invalid: lots with repeated ids, no title or a value not positive in the ceiling's currency; an ΑΔΑΜ not of kind PROC", "conflict: lots together above the ceiling"}},
	{"RecordCommitment", "procurement", []string{"procurement.commitment_recorded"}, []string{
		"invalid: no commitment id or budget line, a year out of range, an ΑΔΑ of the wrong form, a zero amount or another currency",
		"not_found: no process", "conflict: a completed or cancelled process; a commitment id used twice"}},
	{"RecordEvaluation", "procurement", []string{"procurement.evaluation_recorded"}, []string{
		"invalid: an unknown phase; nothing ranked or rejected; a rejection without a reason; a bid ranked or rejected twice; a lot missing in a tender in lots, or named in one without",
		"not_found: an unknown bid or lot", "conflict: not at the tender stage; before the deadline; an evaluation id used twice; a bid of another lot or not valid",
		"records: the rejected bids become disqualified"}},
	{"LodgeAppeal", "procurement", []string{"procurement.appeal_lodged"}, []string{
		"invalid: an unknown kind (objection or recourse); neither or both of an award and an evaluation; no grounds",
		"not_found: an unknown award or evaluation", "conflict: a process past its award (contract signed, completed, cancelled); an appeal id used twice; an award already annulled"}},
	{"DecideAppeal", "procurement", []string{"procurement.appeal_decided"}, []string{
		"invalid: an unknown outcome; no reason", "not_found: an unknown appeal or deciding decision", "conflict: an appeal already decided",
		"records: an appeal upheld against an award annuls it; its lot may be awarded again"}},
	{"AmendTender", "procurement", []string{"procurement.tender_amended"}, []string{
		"invalid: nothing amended, no decision, a deadline not after the amendment", "conflict: no tender; a ceiling not raised",
		"not_found: a decision that does not exist"}},
	{"RecordBid", "procurement", []string{"procurement.bid_received"}, []string{
		"not_found: an unregistered supplier", "conflict: no tender, after the deadline, a bid id used twice", "invalid: a zero bid or another currency"}},
	{"AwardProcurement", "procurement", []string{"procurement.awarded"}, []string{
		"conflict: before the deadline; above the ceiling; to a supplier who did not bid or above their bid; awarded twice",
		"not_found: an unregistered supplier or a decision that does not exist",
		"invalid: a lot missing in a tender in lots, or named in one without; an ΑΔΑΜ not of kind AWRD",
		"conflict: a lot already awarded, an award above its lot's value, an award id used twice; an appeal pending against the lot's evaluation",
		"conflict: under ν. 4412/2016, a direct award above the direct-award threshold recorded at planning; awards with VAT beyond the budget commitments; outside a direct award, a supplier whose valid bid no evaluation of the lot ranks",
		"records: the value with VAT at the process's rate"}},
	{"ChangeBidStatus", "procurement", []string{"procurement.bid_status_changed"}, []string{
		"invalid: an unknown status or no reason", "not_found: an unknown bid", "conflict: a process not at its tender stage, or a bid already in that status"}},
	{"SignContract", "procurement", []string{"procurement.contract_signed"}, []string{"conflict: before the award (of every lot); above the awarded value", "invalid: a period ending before it starts",
		"conflict: an appeal pending (it suspends the award, ν. 4412/2016 art. 364)", "invalid: an ΑΔΑΜ not of kind SYMV"}},
	{"AmendContract", "procurement", []string{"procurement.contract_amended"}, []string{
		"invalid: nothing amended", "conflict: no contract; a value below what was paid", "not_found: a decision that does not exist",
		"conflict: under ν. 4412/2016, a value raising the original by more than the modification limit recorded at planning (default 10% for supplies and services, 15% for works, art. 132): a new procedure is needed; a new value with VAT beyond the commitments"}},
	{"RecordPayment", "procurement", []string{"procurement.payment_made"}, []string{
		"conflict: no contract; a payment id used twice; beyond the contract value; dated before the contract was signed", "invalid: no invoice reference, another currency, a negative amount; an ΑΔΑΜ not of kind PAY"}},
	{"CancelProcurement", "procurement", []string{"procurement.cancelled"}, []string{"invalid: no reason", "conflict: a completed or cancelled process"}},
	{"CompleteProcurement", "procurement", []string{"procurement.completed"}, []string{"conflict: no contract"}},

	{"SkipEvent", "skip", []string{"skip.recorded"}, []string{
		"invalid: the skipped event's id, position, version or type missing; a skip record skipped itself",
		"conflict: the same event passed over twice"}},

	{"RecordForgetting", "subject", []string{"subject.forgotten"}, []string{
		"invalid: an erasure id not of the form erasure- and 32 hex digits", "conflict: an erasure already recorded"}},

	{"SubmitRequest", "request", []string{"request.submitted"}, []string{
		"invalid: an unknown category or channel; contact details in the public subject; a service-centre request without its staff id",
		"conflict: a request id already used"}},
	{"AcknowledgeRequest", "request", []string{"request.acknowledged"}, []string{
		"invalid: a period outside 1 to 365 days (zero: the category's in the settings)", "conflict: not submitted; before submission; a period longer than the law's for its category (20 days for information, 50 for others) or the body's settings",
		"not_found: a body named for its settings that does not exist",
		"records: the due date, counted from the day after submission in calendar days ending on a working day, or in working days, with the public holidays of Greece (Orthodox Easter included) and the body's own"}},
	{"ExtendRequest", "request", []string{"request.extended"}, []string{
		"invalid: no reason; days outside 1 to 365", "conflict: not open; already extended once; after the due date; longer than the settings' extension (default the category's period)"}},
	{"ForwardRequest", "request", []string{"request.forwarded"}, []string{
		"invalid: no competent authority or department; no reason", "conflict: not open; already forwarded to another authority",
		"records: to another authority the period restarts from the forwarding (ν. 2690/1999 art. 4 §2), late when after the settings' 3 working days; to a department of the municipality it is kept"}},
	{"AssignRequest", "request", []string{"request.assigned"}, []string{"conflict: not acknowledged, or already assigned so"}},
	{"AnswerRequest", "request", []string{"request.answered"}, []string{"conflict: not acknowledged; dated before the request's latest step",
		"invalid: partial access without the reason or legal basis for what is withheld", "conflict: partial access to a request that is not for documents"}},
	{"RejectRequest", "request", []string{"request.rejected"}, []string{"invalid: no legal basis", "conflict: not acknowledged"}},
	{"CloseRequest", "request", []string{"request.closed"}, []string{"conflict: not answered or rejected"}},
	{"ReopenRequest", "request", []string{"request.reopened"}, []string{"invalid: no reason; a period outside 1 to 365 days", "conflict: not answered, rejected or closed; a period longer than the law's"}},

	{"RegisterSupplier", "supplier", []string{"supplier.registered"}, []string{"invalid: a VAT id of the wrong form, an unknown kind, a country not ISO 3166-1", "conflict: already registered"}},
	{"ChangeSupplierDetails", "supplier", []string{"supplier.details_changed"}, []string{"not_found: not registered", "conflict: the same details"}},

	{"OpenVote", "vote", []string{"vote.opened"}, []string{
		"invalid: no item or amendment; an unknown method", "conflict: a vote id already used; a meeting not sitting",
		"not_found: an item not on the agenda", "conflict: a withdrawn or unpublished item; an item whose question already passed (its claim taken by the passing vote)",
		"conflict: an urgency vote on an item on the agenda, or at a third call"}},
	{"CastBallot", "vote", []string{"vote.ballot_cast"}, []string{
		"invalid: an unknown choice", "conflict: a vote closed or secret; a member who already voted; a meeting no longer sitting",
		"not_found: a member who does not sit in the body", "forbidden: a member without a vote, or not present (read atomically with the ballot)",
		"forbidden: a member with a conflict of interest on the item, or stepped out of it; a substitute not seated in an absent member's place"}},
	{"ChangeBallot", "vote", []string{"vote.ballot_changed"}, []string{"not_found: a member who has not voted", "conflict: a vote closed, the same choice"}},
	{"CloseVote", "vote", []string{"vote.closed", "claim.taken"}, []string{
		"invalid: a secret vote without a tally, an open vote with one, a tally with more ballots than voting members",
		"conflict: a vote closed; a meeting no longer sitting; an item whose question another vote already passed",
		"counts: quorum of the call against the seats; the majority of the question type over its base (default: an absolute majority of the voting members present); the chair's ballot only on the law's tie in an open roll call"}},
}
