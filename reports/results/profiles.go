package results

// Names of the built-in transport profiles, as Arm.Profile records them.
// The analysis and the renderers read arms by these names; package
// targets/transport builds the profiles, and reports may not import it
// (the import direction is targets → reports), so the names the results
// record are defined here for every package of reports.
const (
	ProfileDefault     = "default"
	ProfileTuned       = "tuned"
	ProfileTunedResume = "tuned-resume"
	ProfileTunedH2     = "tuned-h2"
	ProfileTunedCapped = "tuned-capped"
	ProfileClientGo    = "client-go"
)
