// Package printing lays out Sportello's paper: certificates and the
// self-declarations offered beside them, tickets, receipts and reports, as
// PDF with codeberg.org/go-pdf/fpdf and the Titillium Web font embedded, and
// sends them to the system printer. Certificates are PDF/A-2b (finishA) and
// keep the data their pages print, so that CheckPage can tell a page that
// was changed from the one that was sealed. It imports the domain packages,
// never the store or the UI.
package printing
