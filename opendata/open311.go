package opendata

import (
	"time"

	"github.com/pnyx-civic/pnyx/projections/readmodel"
)

// Open311 GeoReport v2: the request categories as services, the requests
// as service requests, public fields only: where the reported problem is
// and its public description, never the requester, the subject a citizen
// wrote, or a staff id.

// Open311Service is one GeoReport service.
type Open311Service struct {
	Code        string `json:"service_code"`
	Name        string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

// Open311Services are the request categories.
var Open311Services = []Open311Service{
	{Code: "information", Name: "Αίτημα πρόσβασης σε έγγραφα / Request for information", Description: "Πρόσβαση σε δημόσια έγγραφα (ν. 2690/1999 άρθρο 5), απάντηση εντός 20 ημερών.", Type: "batch", Keywords: "foi,documents", Group: "requests"},
	{Code: "service", Name: "Αίτημα εξυπηρέτησης / Service request", Description: "Αίτημα προς υπηρεσία του δήμου, απάντηση εντός 50 ημερών.", Type: "batch", Keywords: "service", Group: "requests"},
	{Code: "complaint", Name: "Παράπονο / Complaint", Description: "Παράπονο για υπηρεσία του δήμου.", Type: "batch", Keywords: "complaint", Group: "requests"},
}

// Open311ServiceByCode returns the service of a category.
func Open311ServiceByCode(code string) (Open311Service, bool) {
	for _, s := range Open311Services {
		if s.Code == code {
			return s, true
		}
	}
	return Open311Service{}, false
}

// Open311Request is one GeoReport service request.
type Open311Request struct {
	ID                string   `json:"service_request_id"`
	Status            string   `json:"status"`
	StatusNotes       *string  `json:"status_notes"`
	ServiceName       string   `json:"service_name"`
	ServiceCode       string   `json:"service_code"`
	Description       *string  `json:"description"`
	AgencyResponsible *string  `json:"agency_responsible"`
	ServiceNotice     *string  `json:"service_notice"`
	Requested         string   `json:"requested_datetime"`
	Updated           *string  `json:"updated_datetime"`
	Expected          *string  `json:"expected_datetime"`
	Address           *string  `json:"address"`
	AddressID         *string  `json:"address_id"`
	Zipcode           *string  `json:"zipcode"`
	Lat               *float64 `json:"lat"`
	Long              *float64 `json:"long"`
	MediaURL          *string  `json:"media_url"`
}

// Open311Status is a request status as GeoReport's open or closed.
func Open311Status(status string) string {
	switch status {
	case "answered", "rejected", "closed":
		return "closed"
	}
	return "open"
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// Open311FromRequest maps a request of the read model to GeoReport.
func Open311FromRequest(r readmodel.Request) Open311Request {
	svc, _ := Open311ServiceByCode(r.Category)
	notes := r.AnswerSummary
	if r.LegalBasis != "" {
		notes += " (" + r.LegalBasis + ")"
	}
	updated := r.SubmittedAt
	for _, t := range []time.Time{r.AcknowledgedAt, r.AnsweredAt, r.ClosedAt} {
		if t.After(updated) {
			updated = t
		}
	}
	return Open311Request{
		ID: r.ID, Status: Open311Status(r.Status), StatusNotes: optString(notes),
		ServiceName: svc.Name, ServiceCode: r.Category,
		Description:       optString(r.Description),
		AgencyResponsible: optString(r.Department),
		Requested:         r.SubmittedAt.UTC().Format(time.RFC3339),
		Updated:           optTime(updated), Expected: optTime(r.DueAt),
		Address: optString(r.Address), Lat: r.Lat, Long: r.Long,
	}
}
