package csvdialect

import "slices"

// HeaderProblem is what is wrong with a column of a header: a name that is
// not one of the columns, a name given twice, or a required column absent.
// Each reader words it in its own messages.
type HeaderProblem struct {
	Kind   HeaderProblemKind
	Column string // as the header names it; for Missing, the column absent
}

// HeaderProblemKind is the kind of a [HeaderProblem].
type HeaderProblemKind int

// The kinds of [HeaderProblem].
const (
	Unknown   HeaderProblemKind = iota + 1 // not a column of Columns
	Duplicate                              // named again; the first one counts
	Missing                                // a required column the header lacks
)

// Index maps each column the header names to its field (the first, for a
// column named twice), and returns what is wrong with the header: its
// unknown and duplicate names, in header order, then the required columns
// it lacks, in c's order. The header is good when there is no problem.
func (c Columns) Index(header []string) (map[string]int, []HeaderProblem) {
	index := make(map[string]int, len(header))
	var problems []HeaderProblem
	for i, name := range header {
		_, seen := index[name]
		switch {
		case !slices.Contains(c.Required, name) && !slices.Contains(c.Optional, name):
			problems = append(problems, HeaderProblem{Unknown, name})
		case seen:
			problems = append(problems, HeaderProblem{Duplicate, name})
		default:
			index[name] = i
		}
	}
	for _, name := range c.Required {
		if _, ok := index[name]; !ok {
			problems = append(problems, HeaderProblem{Missing, name})
		}
	}
	return index, problems
}
