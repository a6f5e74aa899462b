package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// stradarioCodeBase is the first of the demo streets' codes (made up: the
// archive's progressivo nazionale of a real street is not the demo's).
const stradarioCodeBase = 900001

// Stradario writes the stradario of the municipality cfg generates, in the
// ANNCSU CSV layout the store's loader reads: every street of the town with
// every house number the generator may give it, each also with the letters
// A and B.
func Stradario(cfg Config, w io.Writer) error {
	g, err := newGenerator(cfg)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write([]string{"CODICE_COMUNE", "PROGR_NAZIONALE", "DUG", "DENOM_UFF", "CIVICO", "ESPONENTE"}); err != nil {
		return fmt.Errorf("demo stradario: %w", err)
	}
	for i, s := range g.t.streets {
		code := strconv.Itoa(stradarioCodeBase + i)
		for n := 1; n <= g.numbers[i]; n++ {
			for _, letter := range []string{"", "A", "B"} {
				if err := cw.Write([]string{g.home, code, s.toponym, s.name, strconv.Itoa(n), letter}); err != nil {
					return fmt.Errorf("demo stradario: %w", err)
				}
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("demo stradario: %w", err)
	}
	return nil
}
