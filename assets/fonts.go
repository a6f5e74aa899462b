package assets

import _ "embed"

// Titillium Web, the typeface of the Italian public administration's design
// system, by Accademia di Belle Arti di Urbino, under the SIL Open Font
// Licence 1.1 (FontLicence). The desk uses it for the interface and the
// printed documents.
var (
	//go:embed fonts/TitilliumWeb_400Regular.ttf
	FontRegular []byte
	//go:embed fonts/TitilliumWeb_400Regular_Italic.ttf
	FontItalic []byte
	//go:embed fonts/TitilliumWeb_600SemiBold.ttf
	FontSemiBold []byte
	//go:embed fonts/TitilliumWeb_700Bold.ttf
	FontBold []byte
	//go:embed fonts/OFL.txt
	FontLicence []byte
)
