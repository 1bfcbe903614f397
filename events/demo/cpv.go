package demo

// cpvCode is a code of the Common Procurement Vocabulary (Regulation (EC)
// No 213/2008) with its official Greek and English descriptions, as a
// Greek municipality buys. The check digits are those of the official list
// (they do not follow an arithmetic rule, so they are copied, not
// computed).
type cpvCode struct {
	Code    string
	Greek   string
	English string
	// Cents bound the budgets the demo gives processes of this code.
	MinCents, MaxCents int64
}

var cpvCodes = []cpvCode{
	{"45233142-6", "Εργασίες επισκευής οδών", "Road-repair works", 2_000_000, 60_000_000},
	{"45233140-2", "Οδικά έργα", "Roadworks", 5_000_000, 150_000_000},
	{"45233141-9", "Εργασίες συντήρησης οδών", "Road-maintenance works", 2_000_000, 40_000_000},
	{"45233161-5", "Εργασίες κατασκευής πεζοδρομίων", "Footpath construction work", 1_500_000, 30_000_000},
	{"45233162-2", "Εργασίες κατασκευής ποδηλατοδρόμων", "Cycle path construction work", 3_000_000, 50_000_000},
	{"45000000-7", "Κατασκευαστικές εργασίες", "Construction work", 5_000_000, 200_000_000},
	{"45212200-8", "Κατασκευαστικές εργασίες για αθλητικές εγκαταστάσεις", "Construction work for sports facilities", 5_000_000, 120_000_000},
	{"45214200-2", "Κατασκευαστικές εργασίες για σχολικά κτίρια", "Construction work for school buildings", 10_000_000, 250_000_000},
	{"45453000-7", "Εργασίες γενικής επισκευής και ανακαίνισης", "Overhaul and refurbishment work", 1_000_000, 40_000_000},
	{"45316110-9", "Εγκατάσταση εξοπλισμού οδικού φωτισμού", "Installation of road lighting equipment", 1_000_000, 30_000_000},
	{"45232410-9", "Εργασίες αποχέτευσης", "Sewerage work", 3_000_000, 90_000_000},
	{"45232150-8", "Εργασίες σχετικές με αγωγούς διανομής νερού", "Works related to water-distribution pipelines", 3_000_000, 80_000_000},
	{"45112700-2", "Εργασίες διαμόρφωσης τοπίου", "Landscaping work", 500_000, 20_000_000},
	{"71320000-7", "Υπηρεσίες σχεδιασμού μηχανολογικών εγκαταστάσεων", "Engineering design services", 500_000, 15_000_000},
	{"71240000-2", "Υπηρεσίες αρχιτεκτονικής, μηχανικού και σχεδιασμού", "Architectural, engineering and planning services", 500_000, 15_000_000},
	{"90511000-2", "Υπηρεσίες αποκομιδής απορριμμάτων", "Refuse collection services", 5_000_000, 120_000_000},
	{"90500000-2", "Υπηρεσίες σχετικές με απορρίμματα και απόβλητα", "Refuse and waste related services", 2_000_000, 60_000_000},
	{"90610000-6", "Υπηρεσίες καθαρισμού και σκουπίσματος δρόμων", "Street-cleaning and sweeping services", 2_000_000, 50_000_000},
	{"90620000-9", "Υπηρεσίες εκχιονισμού", "Snow-clearing services", 200_000, 5_000_000},
	{"90910000-9", "Υπηρεσίες καθαρισμού", "Cleaning services", 500_000, 20_000_000},
	{"90911200-8", "Υπηρεσίες καθαρισμού κτιρίων", "Building-cleaning services", 500_000, 15_000_000},
	{"77310000-6", "Υπηρεσίες φύτευσης και συντήρησης χώρων πρασίνου", "Planting and maintenance services of green areas", 500_000, 20_000_000},
	{"77311000-3", "Υπηρεσίες συντήρησης διακοσμητικών κήπων και κήπων αναψυχής", "Maintenance services of ornamental and pleasure gardens", 300_000, 8_000_000},
	{"77313000-7", "Υπηρεσίες συντήρησης πάρκων", "Parks maintenance services", 500_000, 15_000_000},
	{"34928530-2", "Λαμπτήρες οδικού φωτισμού", "Street lamps", 300_000, 20_000_000},
	{"50232100-1", "Υπηρεσίες συντήρησης οδικού φωτισμού", "Street-lighting maintenance services", 300_000, 10_000_000},
	{"09134000-7", "Πετρέλαια εσωτερικής καύσης (gasoil)", "Gas oils", 1_000_000, 30_000_000},
	{"09132000-3", "Βενζίνη", "Petrol", 500_000, 10_000_000},
	{"09310000-5", "Ηλεκτρική ενέργεια", "Electricity", 5_000_000, 100_000_000},
	{"30192000-1", "Είδη γραφείου", "Office supplies", 100_000, 3_000_000},
	{"30213000-5", "Προσωπικοί υπολογιστές", "Personal computers", 300_000, 8_000_000},
	{"48000000-8", "Πακέτα λογισμικού και συστήματα πληροφοριών", "Software package and information systems", 500_000, 20_000_000},
	{"72000000-5", "Υπηρεσίες τεχνολογίας πληροφοριών", "IT services", 500_000, 20_000_000},
	{"72267000-4", "Υπηρεσίες συντήρησης και επισκευής λογισμικού", "Software maintenance and repair services", 200_000, 6_000_000},
	{"79341000-6", "Διαφημιστικές υπηρεσίες", "Advertising services", 100_000, 3_000_000},
	{"79952000-2", "Υπηρεσίες εκδηλώσεων", "Event services", 200_000, 8_000_000},
	{"55523100-3", "Υπηρεσίες παροχής σχολικών γευμάτων", "School-meal services", 2_000_000, 60_000_000},
	{"33140000-3", "Ιατρικά αναλώσιμα", "Medical consumables", 100_000, 4_000_000},
	{"18110000-3", "Ενδύματα επαγγελματικής χρήσης", "Occupational clothing", 200_000, 5_000_000},
	{"39830000-9", "Προϊόντα καθαρισμού", "Cleaning products", 100_000, 4_000_000},
	{"50112000-3", "Υπηρεσίες επισκευής και συντήρησης αυτοκινήτων", "Repair and maintenance services of cars", 200_000, 8_000_000},
	{"66510000-8", "Ασφαλιστικές υπηρεσίες", "Insurance services", 500_000, 15_000_000},
	{"79212000-3", "Υπηρεσίες λογιστικού ελέγχου", "Auditing services", 300_000, 6_000_000},
	{"37535200-9", "Εξοπλισμός παιδικών χαρών", "Playground equipment", 500_000, 15_000_000},
}
