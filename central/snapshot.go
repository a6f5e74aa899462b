package central

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"sportello/fault"
	"sportello/store"
)

// snapshotMaxAge is how old the latest snapshot may be before a desk asking
// for one gets a fresh one (when the register changed meanwhile).
const snapshotMaxAge = 15 * time.Minute

// snapshots builds and keeps the server's snapshot files.
type snapshots struct {
	mu  sync.Mutex
	dir string
	// latest is the newest snapshot for desks not enabled for the social
	// desk ([0]: its tables empty) and for those enabled ([1]).
	latest [2]*store.SnapshotInfo
}

var snapshotName = regexp.MustCompile(`^snapshot-[0-9]+-[0-9A-Z]+(-social)?\.db$`)

// socialSnapshot is the end of the name of a snapshot with the social
// desk's records.
const socialSnapshot = "-social.db"

// current returns a snapshot no older than snapshotMaxAge, building one
// when needed; older files are removed, the previous one is kept for
// downloads under way. Only a desk enabled for the social desk (social)
// gets the social desk's records.
func (s *Server) currentSnapshot(ctx context.Context, social bool) (store.SnapshotInfo, error) {
	kind := 0
	if social {
		kind = 1
	}
	sn := &s.snap
	sn.mu.Lock()
	defer sn.mu.Unlock()
	seq, err := s.store.ChangeSeq(ctx)
	if err != nil {
		return store.SnapshotInfo{}, err
	}
	epoch, err := s.store.Epoch(ctx)
	if err != nil {
		return store.SnapshotInfo{}, err
	}
	if l := sn.latest[kind]; l != nil && l.Epoch == epoch && (l.Cursor == seq || s.now().Sub(l.Created) < snapshotMaxAge) {
		return *l, nil
	}
	if err := os.MkdirAll(sn.dir, 0o700); err != nil {
		return store.SnapshotInfo{}, fmt.Errorf("snapshot: %w", err)
	}
	name := fmt.Sprintf("snapshot-%d-%s.db", s.now().Unix(), epoch)
	if social {
		name = strings.TrimSuffix(name, ".db") + socialSnapshot
	}
	info, err := s.store.BuildSnapshotFor(ctx, filepath.Join(sn.dir, name), social)
	if err != nil {
		return info, err
	}
	keep := map[string]bool{name: true}
	for _, l := range sn.latest {
		if l != nil {
			keep[l.Name] = true
		}
	}
	old, _ := filepath.Glob(filepath.Join(sn.dir, "snapshot-*.db"))
	for _, f := range old {
		if !keep[filepath.Base(f)] {
			os.Remove(f)
		}
	}
	sn.latest[kind] = &info
	s.log.Info("snapshot built", "people", info.People, "cursor", info.Cursor, "bytes", info.Size)
	return info, nil
}

func (s *Server) handleSnapshotInfo(w http.ResponseWriter, r *http.Request) {
	social, err := s.store.DeskSocial(r.Context(), requestDesk(r.Context()).DeskID)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	info, err := s.currentSnapshot(r.Context(), social)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// handleSnapshotFile serves a snapshot file; http.ServeContent answers
// Range requests, so a cut download resumes where it stopped.
func (s *Server) handleSnapshotFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	social, err := s.store.DeskSocial(r.Context(), requestDesk(r.Context()).DeskID)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	// A desk not enabled for the social desk never gets its records, not
	// even by naming the file that has them.
	if !snapshotName.MatchString(name) || !social && strings.HasSuffix(name, socialSnapshot) {
		writeError(w, http.StatusNotFound, ErrorBody{Code: fault.NotFound, Message: "The register file asked for is no longer on the server: the desk asks for a new one"})
		return
	}
	f, err := os.Open(filepath.Join(s.snap.dir, name))
	if err != nil {
		writeError(w, http.StatusNotFound, ErrorBody{Code: fault.NotFound, Message: "The register file asked for is no longer on the server: the desk asks for a new one"})
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.sqlite3")
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// SnapshotInfo asks the server for its current snapshot.
func (c *Client) SnapshotInfo(ctx context.Context) (store.SnapshotInfo, error) {
	var out store.SnapshotInfo
	err := c.do(ctx, http.MethodGet, "/v1/snapshot", nil, &out)
	return out, err
}

// DownloadSnapshot fetches the snapshot into path, resuming a partial
// download left in path+".part" (for the same file) with a Range request,
// and checks its SHA-256. progress (may be nil) hears bytes done and total.
func (c *Client) DownloadSnapshot(ctx context.Context, info store.SnapshotInfo, path string, progress func(done, total int64)) error {
	part := path + ".part"
	tag := part + ".name"
	if prev, err := os.ReadFile(tag); err != nil || string(prev) != info.Name+" "+info.SHA256 {
		os.Remove(part)
		if err := os.WriteFile(tag, []byte(info.Name+" "+info.SHA256), 0o600); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(part, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	// The hash runs along the download; a resumed one first reads what
	// it already has.
	sum := sha256.New()
	have, err := io.Copy(sum, f)
	if err != nil {
		return err
	}
	if have < info.Size {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/v1/snapshot/file/"+info.Name, nil)
		if err != nil {
			return err
		}
		c.sign(req, nil)
		if have > 0 {
			req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnreachable, err)
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusPartialContent:
		case http.StatusOK:
			// The server sent it whole: start over.
			if err := f.Truncate(0); err != nil {
				return err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			have = 0
			sum.Reset()
		default:
			se := &ServerError{Status: resp.StatusCode}
			if json.NewDecoder(resp.Body).Decode(&se.Body) != nil || se.Body.Code == "" {
				return fmt.Errorf("%w: status %d", ErrUnreachable, resp.StatusCode)
			}
			return se
		}
		buf := make([]byte, 256<<10)
		for {
			n, rerr := resp.Body.Read(buf)
			if n > 0 {
				if _, err := f.Write(buf[:n]); err != nil {
					return err
				}
				sum.Write(buf[:n])
				have += int64(n)
				if progress != nil {
					progress(have, info.Size)
				}
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return fmt.Errorf("%w: %v", ErrUnreachable, rerr)
			}
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	// Closed before the rename (or the removal): Windows renames and
	// removes only files no one holds open.
	if err := f.Close(); err != nil {
		return err
	}
	if have != info.Size || hex.EncodeToString(sum.Sum(nil)) != info.SHA256 {
		os.Remove(part)
		return fault.New(fault.Invalid, "The register file from the server is damaged: it will be downloaded again", nil)
	}
	os.Remove(tag)
	return os.Rename(part, path)
}

// bootstrap loads the register from the server's snapshot into an empty
// desk; it does nothing on a desk that already holds one.
func (s *Syncer) bootstrap(ctx context.Context, rep *Report) error {
	n, err := s.Store.CountPersons(ctx)
	if err != nil || n > 0 {
		return err
	}
	st, err := s.Store.SyncState(ctx)
	if err != nil || st.Cursor > 0 {
		return err
	}
	info, err := s.Client.SnapshotInfo(ctx)
	if err != nil {
		return err
	}
	if info.People == 0 {
		return nil // nothing to load: pull the log
	}
	path := s.Store.Path() + ".snapshot"
	progress := func(done, total int64) {
		if s.Progress != nil {
			s.Progress(float64(done) / float64(max(total, 1)) * 0.8)
		}
	}
	if err := s.Client.DownloadSnapshot(ctx, info, path, progress); err != nil {
		return err
	}
	defer os.Remove(path)
	if s.Progress != nil {
		s.Progress(0.8)
	}
	people, err := s.Store.LoadSnapshot(ctx, path)
	if err != nil {
		return err
	}
	if s.Progress != nil {
		s.Progress(1)
	}
	rep.Bootstrapped = people
	return nil
}
