package results

// Names of the built-in transport profiles, as Arm.Profile records them:
// the vocabulary of results.json, by which the analysis and the renderers
// read arms.
//
// Package targets/transport, which builds the profiles, defines the same
// names for its own users and stays the source of them. This is a copy on
// purpose: reports may not import targets (the imports go cmd → scenarios →
// {engine, targets, mockbackend} → reports), and transport should not import
// the results model just for six strings, so that it stays embeddable alone
// with no other package of this module. TestResultsSpellsProfileNamesAsTransport
// in targets/transport fails when the two differ, or when transport gains a
// built-in profile this list lacks.
const (
	ProfileDefault     = "default"
	ProfileTuned       = "tuned"
	ProfileTunedResume = "tuned-resume"
	ProfileTunedH2     = "tuned-h2"
	ProfileTunedCapped = "tuned-capped"
	ProfileClientGo    = "client-go"
)
