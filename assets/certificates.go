package assets

import _ "embed"

// Certificate data: ANPR's table 13 (certificate types) and table 39
// (stamp-duty exemptions with their legal wording and whether they also
// waive the secretarial fee), as published in the italia/anpr repository
// (CC BY 4.0, Ministero dell'Interno), and the neutral coat of arms printed
// on certificates when a municipality has not configured its own.
var (
	//go:embed certificates/Tipo_di_certificato.csv
	CertificateTypes []byte
	//go:embed certificates/Esenzione_bollo.csv
	StampDutyExemptions []byte
	//go:embed certificates/stemma.png
	CoatOfArms []byte
)
