package opendata

// CheckDatasets exposes check to the tests.
var CheckDatasets = check
