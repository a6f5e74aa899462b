package certificate

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sportello/fault"
	"sportello/registry"
)

// Seal is what the QR code on a certificate carries: the certificate's
// essential data and the issuing desk's Ed25519 signature over them.
//
// Its text form, compact enough for a QR code at a size a phone reads, is
//
//	SPT1|number|types|surname|name|cf|birth|issued|use|hash|key|signature
//
// types are table 13 codes joined by dots; dates are YYYYMMDD; use is P
// (private), E (abroad), G (court) or I (immigration); hash is the first 16
// bytes of the SHA-256 of the certified content, and signature the 64-byte
// signature, both base32 without padding; key is the key's id (KeyID). The
// signature covers every byte before it, the last separator included.
type Seal struct {
	Number      string
	Types       []Type
	Surname     string
	Name        string
	CF          string
	BirthDate   registry.Date
	IssueDate   registry.Date
	Use         Use
	ContentHash []byte // 16 bytes
	KeyID       string
	Signature   []byte
}

const sealPrefix = "SPT1"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

var useCodes = map[Use]string{UsePrivate: "P", UseAbroad: "E", UseCourt: "G", UseImmigration: "I", UseOffice: "U"}

// KeyID names a public key: the first 8 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return strings.ToUpper(hex.EncodeToString(sum[:4]))
}

// ContentHash is the hash the seal carries of the certified text.
func ContentHash(text string) []byte {
	sum := sha256.Sum256([]byte(text))
	return sum[:16]
}

// message is the signed part of the text form.
func (s Seal) message() (string, error) {
	code, ok := useCodes[s.Use]
	if !ok {
		return "", fault.New(fault.Invalid, "{{.Use}} is not a use: write private, abroad, court or immigration", map[string]any{"Use": string(s.Use)})
	}
	types := make([]string, len(s.Types))
	for i, t := range s.Types {
		types[i] = strconv.Itoa(int(t))
	}
	fields := []string{sealPrefix, s.Number, strings.Join(types, "."), s.Surname, s.Name, s.CF,
		compactDate(s.BirthDate), compactDate(s.IssueDate), code, b32.EncodeToString(s.ContentHash), s.KeyID}
	for _, f := range fields {
		if strings.ContainsAny(f, "|\r\n") || !utf8.ValidString(f) {
			return "", fault.New(fault.Invalid, "The certificate data cannot be sealed: a field holds a character not allowed", nil)
		}
	}
	return strings.Join(fields, "|") + "|", nil
}

func compactDate(d registry.Date) string {
	return strings.ReplaceAll(d.String(), "-", "")
}

// Sign fills the key id and the signature with the desk's private key.
func (s *Seal) Sign(priv ed25519.PrivateKey) error {
	s.KeyID = KeyID(priv.Public().(ed25519.PublicKey))
	msg, err := s.message()
	if err != nil {
		return err
	}
	s.Signature = ed25519.Sign(priv, []byte(msg))
	return nil
}

// Text is the QR code's content.
func (s Seal) Text() (string, error) {
	msg, err := s.message()
	if err != nil {
		return "", err
	}
	return msg + b32.EncodeToString(s.Signature), nil
}

// Code is the short verification code printed beside the QR code, from
// which a clerk or the server finds the certificate in the register:
// "K7QD-3MXA".
func (s Seal) Code() string {
	sum := sha256.Sum256(s.Signature)
	c := b32.EncodeToString(sum[:5])
	return c[:4] + "-" + c[4:8]
}

// NormaliseCode reads a verification code typed with or without the dash,
// in any case; ok is false when it cannot be one.
func NormaliseCode(s string) (string, bool) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	if len(s) != 8 {
		return "", false
	}
	if _, err := b32.DecodeString(s); err != nil {
		return "", false
	}
	return s[:4] + "-" + s[4:], true
}

// errMalformed is the refusal of a text that is not a seal.
func errMalformed() error {
	return fault.New(fault.Invalid, "This is not a certificate seal: the text is malformed", nil)
}

// ParseSeal reads the text form; it checks the form, not the signature.
func ParseSeal(text string) (Seal, error) {
	text = strings.TrimSpace(text)
	if len(text) > 2000 || !utf8.ValidString(text) {
		return Seal{}, errMalformed()
	}
	f := strings.Split(text, "|")
	if len(f) != 12 || f[0] != sealPrefix {
		return Seal{}, errMalformed()
	}
	var s Seal
	s.Number, s.Surname, s.Name, s.CF, s.KeyID = f[1], f[3], f[4], f[5], f[10]
	if _, err := ParseNumber(s.Number); err != nil {
		return Seal{}, errMalformed()
	}
	for part := range strings.SplitSeq(f[2], ".") {
		n, err := strconv.Atoi(part)
		if err != nil || !Type(n).Valid() {
			return Seal{}, errMalformed()
		}
		s.Types = append(s.Types, Type(n))
	}
	var ok bool
	if s.BirthDate, ok = parseCompactDate(f[6]); !ok {
		return Seal{}, errMalformed()
	}
	if s.IssueDate, ok = parseCompactDate(f[7]); !ok {
		return Seal{}, errMalformed()
	}
	for u, c := range useCodes {
		if c == f[8] {
			s.Use = u
		}
	}
	var err error
	s.ContentHash, err = b32.DecodeString(f[9])
	if s.Use == "" || err != nil || len(s.ContentHash) != 16 || len(s.KeyID) != 8 {
		return Seal{}, errMalformed()
	}
	if s.Signature, err = b32.DecodeString(f[11]); err != nil || len(s.Signature) != ed25519.SignatureSize {
		return Seal{}, errMalformed()
	}
	// The text must be exactly what the fields encode, or the signature
	// would be checked over something other than what is shown.
	if again, err := s.Text(); err != nil || again != text {
		return Seal{}, errMalformed()
	}
	return s, nil
}

func parseCompactDate(s string) (registry.Date, bool) {
	if len(s) != 8 {
		return registry.Date{}, false
	}
	d, err := registry.ParseDate(s[:4] + "-" + s[4:6] + "-" + s[6:])
	return d, err == nil && d.Valid()
}

// TrustedKey is a desk key a verifier trusts: the public key, the desk
// code it was enrolled for, and when the server revoked it (zero while it
// is valid).
type TrustedKey struct {
	PublicKey ed25519.PublicKey
	DeskCode  string
	RevokedAt time.Time
}

// Keys are the keys a verifier trusts, by key id.
type Keys map[string]TrustedKey

// Verify parses the seal's text and checks it against the trusted keys: a
// malformed text, an unknown key, an altered seal, a number of another
// desk than the key's, and a seal of a revoked key are refused, each with
// its reason.
func Verify(text string, keys Keys) (Seal, error) {
	s, err := ParseSeal(text)
	if err != nil {
		return Seal{}, err
	}
	k, ok := keys[s.KeyID]
	if !ok {
		return s, fault.New(fault.NotFound, "The seal was made by a desk key that is not among the trusted ones ({{.Key}})", map[string]any{"Key": s.KeyID})
	}
	msg, _ := s.message()
	if len(k.PublicKey) != ed25519.PublicKeySize || !ed25519.Verify(k.PublicKey, []byte(msg), s.Signature) {
		return s, fault.New(fault.Invalid, "The seal is not valid: the certificate data were altered", nil)
	}
	// ParseSeal checked the number.
	if n, _ := ParseNumber(s.Number); !strings.EqualFold(n.Desk, k.DeskCode) {
		return s, fault.New(fault.Invalid, "The seal is not valid: certificate {{.Number}} is numbered for desk {{.Desk}} but sealed with the key of desk {{.KeyDesk}}",
			map[string]any{"Number": s.Number, "Desk": n.Desk, "KeyDesk": k.DeskCode})
	}
	if !k.RevokedAt.IsZero() {
		return s, fault.New(fault.Invalid, "The seal is not valid: the key of desk {{.Desk}} that made it was revoked on {{.Date}}",
			map[string]any{"Desk": k.DeskCode, "Date": registry.DateOf(k.RevokedAt.In(registry.Rome)).Italian()})
	}
	return s, nil
}
