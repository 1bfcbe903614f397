// Package demo generates the record of a fictional Greek municipality,
// Δήμος Καλλιθέας Αιγαίου, so that Pnyx can be tried, measured and shown
// without real data: a council of 33 in five factions, a municipal committee
// and two local communities meeting through the year, public consultations,
// amendments and roll calls (and now and then a first call without quorum
// and a second call), numbered decisions (some corrected, some revoked),
// procurement from plan to payment with raised tender ceilings and amended
// contracts, and citizens' requests.
//
// Every fact goes through the command service, so every rule of the domain
// runs on the generated world exactly as on a real one. A seed always gives
// the same events: the world is planned from math/rand/v2 seeded with it,
// event ids derive from idempotency keys made of the seed and a counter,
// and the world ends on a fixed day, so everything in it happened before it
// is recorded, whatever the day it is generated. The commands run in
// rounds, decided one at a time, and their events are written in that
// order, so the same seed also gives every event the same position. Citizens' personal data
// goes to the vault, and what they write is sealed under their keys, which
// come from crypto/rand even here: anyone with the seed knows the world,
// but opens no citizen's record or words without the vault. So the events
// of a seed are the same except for author references and sealed texts,
// which open to the same words.
package demo
