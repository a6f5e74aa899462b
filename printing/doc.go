// Package printing lays out Sportello's paper: certificates and the
// self-declarations offered beside them, tickets, receipts and reports, as
// PDF with go-pdf/fpdf and the Titillium Web font embedded, and sends them to
// the system printer. It imports the domain packages, never the store or the
// UI.
package printing
