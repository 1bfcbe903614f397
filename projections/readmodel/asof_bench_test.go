package readmodel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pnyx-civic/pnyx/internal/cputime"
	"github.com/pnyx-civic/pnyx/projections/readmodel"

	"github.com/pnyx-civic/pnyx/events"
)

// BenchmarkAsOf reads one entity with 1,000 events as of its last event
// (the whole stream folded) and as of its middle (half folded). Two
// baselines are measured in the same run on the same events: reading them
// from the log without decoding or folding (x_read_stream is how many
// times that AsOf costs), and folding them with the aggregate's decider
// (x_decider_fold, the design AsOf does not use: deciders copy their state
// on every event, so their fold grows with the square of the stream).
// ms/op is AsOf on a ReadModel that has read the stream before (its events
// cached decoded, see streamCache), cold_ms/op on a new ReadModel for every
// read (the stream read and decoded from the log); both are checked
// against the 10 ms goal. cpu_ms/op and cold_cpu_ms/op are the processor
// time they used, all cores together, which waiting for a busy machine
// does not inflate.
func BenchmarkAsOf(b *testing.B) {
	ctx := context.Background()
	e := newRMEnv(b)
	const n = 1000
	streams := map[string][]events.Payload{}

	consultation := []events.Payload{events.ConsultationOpened{ItemID: "big", MeetingID: "m", ClosesAt: day(6, 1)}}
	for i := 1; i < n; i++ {
		consultation = append(consultation, events.ConsultationCommentSubmitted{CommentID: fmt.Sprintf("c%d", i), Kind: events.CommentRemark,
			LegacyText: "Σχόλιο για τον προϋπολογισμό του Δήμου και τα έργα οδοποιίας στη γειτονιά μας.", Author: citizenA})
	}
	streams["consultation-big"] = consultation

	decision := []events.Payload{events.DecisionAdopted{DecisionID: "big", BodyID: "council", Number: 1, Year: 2026, Title: "Απόφαση",
		Text: "Κείμενο της απόφασης.", LegalBasis: "ν. 3852/2010"}}
	for v := 2; v <= n; v++ {
		decision = append(decision, events.DecisionCorrected{Version: v, Reason: "Διόρθωση", Title: "Απόφαση",
			Text: fmt.Sprintf("Κείμενο της απόφασης, έκδοση %d.", v)})
	}
	streams["decision-big"] = decision

	procurement := []events.Payload{
		events.ProcurementPlanned{OCID: "ocds-big", Title: "Έργο", BuyerBodyID: "council", Budget: events.EUR(1 << 40), CPV: []string{"45233142-6"}, Method: events.ProcurementOpen},
		events.ProcurementTenderPublished{Procedure: "open", Ceiling: events.EUR(1 << 40), Deadline: day(4, 1)},
		events.ProcurementBidReceived{BidID: "b", SupplierID: "094700001", Value: events.EUR(1 << 39)},
		events.ProcurementAwarded{SupplierID: "094700001", Value: events.EUR(1 << 39)},
		events.ProcurementContractSigned{ContractID: "k", Value: events.EUR(1 << 39), Period: events.ContractPeriod{Start: day(5, 1), End: day(12, 1)}},
	}
	for i := len(procurement); i < n; i++ {
		procurement = append(procurement, events.ProcurementPaymentMade{PaymentID: fmt.Sprintf("p%d", i), Amount: events.EUR(100_000), InvoiceRef: fmt.Sprintf("ΤΠΥ-%d", i)})
	}
	streams["procurement-ocds-big"] = procurement

	for _, stream := range []string{"consultation-big", "decision-big", "procurement-ocds-big"} {
		e.add(b, stream, day(3, 1), streams[stream]...)
		hist, err := e.rm.History(ctx, stream, readmodel.HistoryOptions{Limit: n})
		if err != nil || len(hist) != n {
			b.Fatalf("%s: %d events, %v", stream, len(hist), err)
		}
		for _, point := range []struct {
			name string
			at   readmodel.Point
			read int
		}{
			{"all", readmodel.Point{RecordedAt: hist[n-1].RecordedAt}, n},
			{"half", readmodel.Point{Position: hist[n/2-1].Position}, n},
		} {
			b.Run(stream+"/"+point.name, func(b *testing.B) {
				b.ReportAllocs()
				if _, err := e.rm.AsOf(ctx, stream, point.at); err != nil { // the stream now cached
					b.Fatal(err)
				}
				b.ResetTimer()
				start, cpu := time.Now(), cputime.Process()
				for range b.N {
					if _, err := e.rm.AsOf(ctx, stream, point.at); err != nil {
						b.Fatal(err)
					}
				}
				asOf, asOfCPU := time.Since(start), cputime.Process()-cpu
				b.StopTimer()
				start, cpu = time.Now(), cputime.Process()
				for range b.N {
					if _, err := readmodel.NewReadModelQueries(e.db, e.store).AsOf(ctx, stream, point.at); err != nil {
						b.Fatal(err)
					}
				}
				cold, coldCPU := time.Since(start), cputime.Process()-cpu
				start = time.Now()
				for range b.N {
					if evs, err := e.store.ReadStream(ctx, stream, events.ReadStreamOptions{Limit: point.read}); err != nil || len(evs) != point.read {
						b.Fatal(len(evs), err)
					}
				}
				baseline := time.Since(start)
				start = time.Now()
				for range b.N {
					deciderFold(b, e, stream, point.at)
				}
				decider := time.Since(start)
				b.ReportMetric(float64(asOf.Nanoseconds())/float64(b.N)/1e6, "ms/op")
				b.ReportMetric(float64(asOfCPU.Nanoseconds())/float64(b.N)/1e6, "cpu_ms/op")
				b.ReportMetric(float64(cold.Nanoseconds())/float64(b.N)/1e6, "cold_ms/op")
				b.ReportMetric(float64(coldCPU.Nanoseconds())/float64(b.N)/1e6, "cold_cpu_ms/op")
				b.ReportMetric(float64(cold)/float64(baseline), "x_read_stream_cold")
				b.ReportMetric(float64(baseline.Nanoseconds())/float64(b.N)/1e6, "ms/read_stream")
				b.ReportMetric(float64(decider.Nanoseconds())/float64(b.N)/1e6, "ms/decider_fold")
				b.ReportMetric(float64(asOf)/float64(baseline), "x_read_stream")
				b.ReportMetric(float64(asOf)/float64(decider), "x_decider_fold")
			})
		}
	}
}

// deciderFold folds stream up to at with its aggregate's decider, as the
// write side does: the baseline AsOf is compared with.
func deciderFold(b *testing.B, e *rmEnv, stream string, at readmodel.Point) any {
	agg, err := events.AggregateOf(stream)
	if err != nil {
		b.Fatal(err)
	}
	evs, err := e.store.ReadStream(context.Background(), stream, events.ReadStreamOptions{Limit: events.MaxReadLimit})
	if err != nil {
		b.Fatal(err)
	}
	state := agg.Initial()
	for _, re := range evs {
		if (at.Position != 0 && re.Position > at.Position) || (!at.RecordedAt.IsZero() && re.RecordedAt.After(at.RecordedAt)) {
			break
		}
		p, err := events.Decode(re)
		if err != nil {
			b.Fatal(err)
		}
		state = agg.Evolve(state, p)
	}
	return state
}
