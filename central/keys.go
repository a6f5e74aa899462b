package central

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"net/http"

	"sportello/certificate"
	"sportello/fault"
	"sportello/store"
)

// Key rotation and recognition after a restore. A desk changes its key
// only through the server, proving both the current key (the request's
// signature) and the new one (its signature of store.RotationMessage).
// The server signs a receipt of each desk's current key (in /v1/status);
// a server restored from a backup that does not know the desk, or knows
// an older key of it, enrols it again from that receipt.

// RotateKeyRequest asks the server to take a new key for the signing desk.
type RotateKeyRequest struct {
	PublicKey string `json:"public_key"` // hex Ed25519, the new key
	Proof     string `json:"proof"`      // hex: the new key's signature of store.RotationMessage
}

// RotateKeyResponse confirms the key the desk now signs with.
type RotateKeyResponse struct {
	KeyID   string        `json:"key_id"`
	Receipt store.Receipt `json:"receipt"`
}

func (s *Server) handleRotateKey(w http.ResponseWriter, r *http.Request) {
	d := requestDesk(r.Context())
	var req RotateKeyRequest
	if !decode(w, r, MaxEnrolBytes, &req) {
		return
	}
	pub, err1 := hex.DecodeString(req.PublicKey)
	proof, err2 := hex.DecodeString(req.Proof)
	if err1 != nil || err2 != nil {
		writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: "The new key is not an Ed25519 public key"})
		return
	}
	nd, err := s.store.RotateKey(r.Context(), d.DeskID, pub, proof)
	if err != nil {
		s.log.Info("key rotation refused", "desk", d.DeskID, "code", fault.Code(err))
		s.writeFault(w, r, err)
		return
	}
	receipt, err := s.store.EnrolmentReceipt(r.Context(), nd)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	s.log.Info("desk key rotated", "desk", nd.DeskID, "desk_code", nd.DeskCode, "key_id", nd.KeyID)
	writeJSON(w, http.StatusOK, RotateKeyResponse{KeyID: nd.KeyID, Receipt: receipt})
}

// handleRecognise enrols again, without a code, a desk that shows this
// server's receipt of its key (not signed: the receipt is the proof, and it
// names the desk's own key, which signs everything after).
// Like enrolment it is limited per address, and wrong receipts count
// towards the address's lockout.
func (s *Server) handleRecognise(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if ok, wait := s.enrol.admit(addr, s.now()); !ok {
		tooMany(w, wait)
		return
	}
	var receipt store.Receipt
	if !decode(w, r, MaxEnrolBytes, &receipt) {
		return
	}
	d, err := s.store.Recognise(r.Context(), receipt)
	s.answerEnrolment(w, r, addr, "receipt", d, err)
}

// RotateKey moves the desk to the key next: signed with the current key,
// with next's proof. On success the caller makes next its signing key
// (store.UseNextKey) and signs with it (WithKey).
func (c *Client) RotateKey(ctx context.Context, next ed25519.PrivateKey) (RotateKeyResponse, error) {
	var out RotateKeyResponse
	pub := next.Public().(ed25519.PublicKey)
	oldID := ""
	if c.key != nil {
		oldID = certificate.KeyID(c.key.Public().(ed25519.PublicKey))
	}
	req := RotateKeyRequest{PublicKey: hex.EncodeToString(pub),
		Proof: hex.EncodeToString(ed25519.Sign(next, store.RotationMessage(c.deskID, oldID, pub)))}
	err := c.do(ctx, http.MethodPost, "/v1/keys/rotate", req, &out)
	return out, err
}

// Recognise shows the server the receipt of this desk's key, after the
// server answered that it does not know the desk.
func (c *Client) Recognise(ctx context.Context, r store.Receipt) (EnrolResponse, error) {
	var out EnrolResponse
	err := c.do(ctx, http.MethodPost, "/v1/enrol/receipt", r, &out)
	return out, err
}

// WithKey is the same client signing with key.
func (c *Client) WithKey(key ed25519.PrivateKey) *Client {
	n := *c
	n.key = key
	return &n
}

// recognised asks the server, refused as unknown or with an older key
// after a restore, to recognise the desk from its receipt; true when it
// did and the request is worth trying again.
func (s *Syncer) recognised(ctx context.Context, err error) bool {
	var se *ServerError
	if !errors.As(err, &se) || se.Status != http.StatusUnauthorized {
		return false
	}
	r, ok, rerr := s.Store.HeldReceipt(ctx)
	if rerr != nil || !ok || r.DeskID != s.Store.DeskID() {
		return false
	}
	_, rerr = s.Client.Recognise(ctx, r)
	return rerr == nil
}

// keep stores the server's receipt of the desk's key.
func (s *Syncer) keep(ctx context.Context, st Status) error {
	if st.Receipt == nil || st.Receipt.DeskID != s.Store.DeskID() {
		return nil
	}
	return s.Store.KeepReceipt(ctx, *st.Receipt)
}

// RotateDeskKey moves the desk of st, whose client is c, to a new key: the
// new key is kept in the desk's file before the server is asked, so a
// rotation whose answer was lost is finished by running it again (the
// server already holds the new key and takes the new key's signature).
// It returns the client signing with the new key.
func RotateDeskKey(ctx context.Context, st *store.Store, c *Client, operator string) (*Client, RotateKeyResponse, error) {
	next, err := st.NextKey(ctx)
	if err != nil {
		return nil, RotateKeyResponse{}, err
	}
	nc := c.WithKey(next)
	resp, err := c.RotateKey(ctx, next)
	var se *ServerError
	if errors.As(err, &se) && se.Status == http.StatusUnauthorized {
		// The old key no longer signs: did the server take the new one?
		resp, err = nc.RotateKey(ctx, next)
	}
	if err != nil {
		return nil, resp, err
	}
	if err := st.UseNextKey(ctx, operator); err != nil {
		return nil, resp, err
	}
	return nc, resp, st.KeepReceipt(ctx, resp.Receipt)
}
