package graph

import "github.com/ringlens/ringlens/graph/claims"

// Prices is a column of unit prices (pric), each row a code into a
// dictionary of the column's distinct prices in the order first met. A
// city's fee lines repeat a few thousand prices (the catalogue's, and each
// institution's own: 163 in our generator's cities, 2,153 to 2,502 in the
// independent ones), so a row takes two bytes instead of the four of a
// Narrow column; past 65,533 distinct prices the codes take four bytes a
// row (Small widens), and no price is lost or changed.
//
// Rows are only appended (or compacted in order by FeeTable.Keep while the
// tables are loaded). A snapshot shares the dictionary up to its length
// and has no index of its own until it appends.
type Prices struct {
	codes Small
	dict  []claims.Price
	// index gives each price's code, for Append. It is built from dict
	// when nil (in a snapshot, after Tables.DropIngestIndexes).
	index map[claims.Price]uint32
}

// NewPrices returns a column of prices with room for n rows.
func NewPrices(n int) Prices { return Prices{codes: NewSmall(n)} }

// Len returns the number of rows.
func (c *Prices) Len() int { return c.codes.Len() }

// At returns the price of row i.
func (c *Prices) At(i uint32) claims.Price {
	if !c.codes.widened {
		if k := c.codes.narrow[i]; k < smallWide {
			return c.dict[k]
		}
	}
	return c.marked(i)
}

// marked returns the price of a row At does not read itself: a column
// widened to four-byte codes.
//
//go:noinline
func (c *Prices) marked(i uint32) claims.Price { return c.dict[c.codes.marked(i)] }

// Append adds a row holding x.
func (c *Prices) Append(x claims.Price) { c.codes.Append(c.code(x)) }

// Distinct returns the number of distinct prices the column has held.
func (c *Prices) Distinct() int { return len(c.dict) }

// code returns the dictionary code of x, adding it when new.
func (c *Prices) code(x claims.Price) uint32 {
	if c.index == nil {
		c.index = make(map[claims.Price]uint32, len(c.dict))
		for k, p := range c.dict {
			c.index[p] = uint32(k)
		}
	}
	if k, ok := c.index[x]; ok {
		return k
	}
	k := uint32(len(c.dict))
	c.dict = append(c.dict, x)
	c.index[x] = k
	return k
}

// dropIndex gives back the index (Tables.DropIngestIndexes); the next
// Append builds it again.
func (c *Prices) dropIndex() { c.index = nil }

// keep moves row i to row w (see column.keep); the dictionary keeps every
// price.
func (c *Prices) keep(w, i int, into *[]smallWideValue) { c.codes.keep(w, i, into) }

// truncate keeps the first n rows, whose wide codes are wide.
func (c *Prices) truncate(n int, wide []smallWideValue) { c.codes.truncate(n, wide) }

// reset empties the column, keeping its memory.
func (c *Prices) reset() {
	c.codes.reset()
	c.dict = c.dict[:0]
	clear(c.index)
}

// snapshot returns the column as it is now, which later appends leave
// unchanged.
func (c *Prices) snapshot() Prices {
	return Prices{codes: c.codes.snapshot(), dict: capped(c.dict)}
}

// trim copies the column's slices to their length when much of them is
// unused (see Tables.Trim).
func (c *Prices) trim() {
	c.codes.trim()
	c.dict = trimmed(c.dict)
}

// priceIndexEntryBytes estimates a map entry of the index: an 8-byte key,
// a 4-byte value and the map's control byte and slack.
const priceIndexEntryBytes = 24

// bytes returns the bytes in use and allocated (for memory accounting).
func (c *Prices) bytes() (used, reserved int64) {
	u, r := c.codes.bytes()
	du, dr := size(c.dict)
	idx := int64(priceIndexEntryBytes * len(c.index))
	return u + du + idx, r + dr + idx
}
