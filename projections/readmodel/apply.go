package readmodel

import "github.com/pnyx-civic/pnyx/events"

// appliers write the read model's tables, one per concept. Each reports
// whether it knew the payload; a payload none knows (an event of the
// catalog the read model has no table for) is skipped.
var appliers = []func(writer, events.Payload) (bool, error){
	applyBody,
	applyFaction,
	applyMeeting,
	applyAttendance,
	applyMinutes,
	applyProtocol,
	applyCouncil,
	applyDecision,
	applyProcurement,
	applyRequest,
	applyImported,
}

func applyEvent(w writer, p events.Payload) error {
	for _, apply := range appliers {
		if ok, err := apply(w, p); ok || err != nil {
			return err
		}
	}
	return nil
}
