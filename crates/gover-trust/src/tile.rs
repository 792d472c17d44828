//! Tiles: how a checksum database serves its tree, and how the hashes in
//! them are authenticated before any is used.
//!
//! A tile of height `H` (8 for sumdb) at tile level `L` holds up to `2^H`
//! consecutive node hashes of tree level `L·H`, 32 bytes each: tile `N`
//! holds nodes `N·2^H ..`. A *full* tile holds `2^H`; the tile at the
//! right edge of a tree holds fewer and is served as a *partial* tile,
//! path suffix `.p/<width>`. Paths: `tile/<H>/<L>/<NNN>[.p/<W>]`, and
//! `tile/<H>/data/<NNN>[.p/<W>]` for the records themselves; `N` is written
//! in groups of three digits, all but the last prefixed `x`
//! (1234067 → `x001/x234/067`).
//!
//! [`TileHashReader`] reads node hashes for a signed tree through tiles,
//! and trusts none of them until every tile it fetched is authenticated:
//! the tiles at the right edge (which hold the perfect subtrees the tree is
//! made of) must hash, folded, to the signed root; every other tile is a
//! full tile whose hash must equal its entry in its parent tile, itself
//! authenticated the same way. So a forged record in a full level-0 tile
//! far from the right edge is caught by its level-1 parent.

use std::collections::HashMap;
use std::fmt;

use crate::error::{shown, Error, ErrorKind, Result};
use crate::tlog::{fold, node_hash, subtrees, Hash, HashReader, Node, Tree};

/// The tile height checksum databases use.
pub const HEIGHT: u8 = 8;

/// Size in bytes of a hash in a tile.
const HASH_SIZE: usize = 32;

/// A tile of hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// Tile height `H` (1..=30; 8 for sumdb).
    pub height: u8,
    /// Tile level `L`: the tile holds nodes of tree level `L·H`.
    pub level: u8,
    /// The tile's number within its level.
    pub index: u64,
    /// How many hashes it holds (1..=2^H).
    pub width: u32,
}

impl Tile {
    /// The number of hashes in a full tile.
    pub fn full_width(&self) -> u32 {
        1 << self.height
    }

    /// Whether it holds `2^H` hashes.
    pub fn is_full(&self) -> bool {
        self.width == self.full_width()
    }

    /// The same tile at full width.
    pub fn full(&self) -> Tile {
        Tile {
            width: self.full_width(),
            ..*self
        }
    }

    /// Its path: `tile/<H>/<L>/<NNN>[.p/<W>]`.
    pub fn path(&self) -> String {
        self.path_as(&self.level.to_string())
    }

    /// The path of the record data under this level-0 tile:
    /// `tile/<H>/data/<NNN>[.p/<W>]`.
    pub fn data_path(&self) -> String {
        self.path_as("data")
    }

    fn path_as(&self, level: &str) -> String {
        let mut n = self.index;
        let mut digits = format!("{:03}", n % 1000);
        while n >= 1000 {
            n /= 1000;
            digits = format!("x{:03}/{digits}", n % 1000);
        }
        let partial = if self.is_full() {
            String::new()
        } else {
            format!(".p/{}", self.width)
        };
        format!("tile/{}/{level}/{digits}{partial}", self.height)
    }

    /// Parses a tile path; the flag says whether it names record data.
    pub fn parse_path(path: &str) -> Result<(Tile, bool)> {
        let bad = || {
            Error::new(
                ErrorKind::Malformed,
                format!("malformed tile path `{}`", shown(path, 100)),
            )
        };
        let f: Vec<&str> = path.split('/').collect();
        if f.len() < 4 || f[0] != "tile" {
            return Err(bad());
        }
        let height: u8 = f[1]
            .parse()
            .ok()
            .filter(|h| (1..=30).contains(h))
            .ok_or_else(bad)?;
        let data = f[2] == "data";
        let level: u8 = if data {
            0
        } else {
            f[2].parse().ok().filter(|l| *l < 64).ok_or_else(bad)?
        };
        let mut groups = &f[3..];
        let mut width = 1u32 << height;
        let last = groups.len() - 1;
        let mut last_group = groups[last];
        if last >= 1 {
            if let Some(g) = groups[last - 1].strip_suffix(".p") {
                width = groups[last]
                    .parse()
                    .ok()
                    .filter(|w| *w >= 1 && *w < 1u32 << height)
                    .ok_or_else(bad)?;
                last_group = g;
                groups = &groups[..last - 1];
            } else {
                groups = &groups[..last];
            }
        } else {
            groups = &groups[..0];
        }
        let mut index: u64 = 0;
        for g in groups.iter().copied().chain(std::iter::once(last_group)) {
            let d: u64 = g
                .trim_start_matches('x')
                .parse()
                .ok()
                .filter(|d| *d < 1000)
                .ok_or_else(bad)?;
            index = index
                .checked_mul(1000)
                .and_then(|i| i.checked_add(d))
                .ok_or_else(bad)?;
        }
        let tile = Tile {
            height,
            level,
            index,
            width,
        };
        let canonical = if data { tile.data_path() } else { tile.path() };
        if canonical != path {
            return Err(bad());
        }
        Ok((tile, data))
    }

    /// The tile of a tree of `size` records that holds `node`, at the
    /// widest it has in that tree.
    pub fn for_node(height: u8, node: Node, size: u64) -> Tile {
        let level = node.level / height;
        let within = node.level % height;
        let first = node.index << within;
        let index = first >> height;
        let avail = (size >> (u32::from(level) * u32::from(height))) - (index << height);
        Tile {
            height,
            level,
            index,
            width: avail.min(1 << height) as u32,
        }
    }

    /// The node holding all of this (full) tile's hashes, one tree level
    /// above the tile's top.
    fn top_node(&self) -> Node {
        Node {
            level: (self.level + 1) * self.height,
            index: self.index,
        }
    }

    /// The hash of `node` from this tile's `data`. `node` must lie in it.
    fn hash_of(&self, data: &[u8], node: Node) -> Hash {
        let within = node.level - self.level * self.height;
        let first = ((node.index << within) - (self.index << self.height)) as usize;
        merkle(&data[first * HASH_SIZE..(first + (1 << within)) * HASH_SIZE])
    }

    /// Whether `node` lies within this tile's hashes.
    fn holds(&self, node: Node) -> bool {
        let (lo, hi) = (self.level * self.height, (self.level + 1) * self.height);
        if node.level < lo || node.level >= hi {
            return false;
        }
        let within = node.level - lo;
        let first = node.index << within;
        first >> self.height == self.index
            && (first & ((1 << self.height) - 1)) + (1 << within) <= u64::from(self.width)
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// The Merkle hash of a power-of-two run of hashes.
fn merkle(data: &[u8]) -> Hash {
    if data.len() == HASH_SIZE {
        return Hash::at(data, 0);
    }
    let half = data.len() / 2;
    node_hash(&merkle(&data[..half]), &merkle(&data[half..]))
}

/// Where tiles come from: the network, a cache, or both.
pub trait TileSource {
    /// The data of each tile, `width·32` bytes each, in order.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>>;
    /// Called with tiles once they are authenticated (to cache them).
    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        let _ = (tiles, data);
    }
}

/// Reads node hashes of a signed tree through authenticated tiles.
pub struct TileHashReader<'a> {
    tree: Tree,
    height: u8,
    source: &'a dyn TileSource,
}

impl<'a> TileHashReader<'a> {
    /// A reader for `tree` (whose head the caller has verified) with tiles
    /// of `height` from `source`.
    pub fn new(tree: Tree, height: u8, source: &'a dyn TileSource) -> Self {
        Self {
            tree,
            height,
            source,
        }
    }

    /// The tiles needed: first those holding the tree's subtrees (the
    /// right edge), then for each node its tile and the chain of parents
    /// up to a tile already listed. Returns the tiles, each node's tile.
    fn plan(&self, nodes: &[Node]) -> Result<(Vec<Tile>, Vec<usize>)> {
        let (h, size) = (self.height, self.tree.size);
        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles: Vec<Tile> = Vec::new();
        let mut add = |t: Tile, tiles: &mut Vec<Tile>| -> usize {
            *order.entry(t).or_insert_with(|| {
                tiles.push(t);
                tiles.len() - 1
            })
        };
        for n in subtrees(0, size) {
            add(Tile::for_node(h, n, size), &mut tiles);
        }
        let mut at = Vec::with_capacity(nodes.len());
        for &node in nodes {
            if node.end() > size || node.level >= 63 {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    format!("node {node:?} is not in a tree of {size} records"),
                ));
            }
            let mut chain = vec![Tile::for_node(h, node, size)];
            loop {
                let t = *chain.last().expect("not empty");
                if tiles.contains(&t) {
                    chain.pop();
                    break;
                }
                // Off the right edge, every tile is full (math, not data).
                assert!(t.is_full(), "tile math: {t} in a tree of {size}");
                chain.push(Tile::for_node(h, t.top_node(), size));
            }
            for t in chain.iter().rev() {
                add(*t, &mut tiles);
            }
            at.push(add(Tile::for_node(h, node, size), &mut tiles));
        }
        Ok((tiles, at))
    }

    /// Authenticates every tile in `tiles` against the signed tree.
    fn authenticate(&self, tiles: &[Tile], data: &[Vec<u8>]) -> Result<()> {
        let size = self.tree.size;
        let edge = subtrees(0, size);
        let mut covered: HashMap<usize, u64> = HashMap::new();
        let mut hashes = Vec::with_capacity(edge.len());
        for n in &edge {
            let i = tiles.iter().position(|t| t.holds(*n)).expect("planned");
            *covered.entry(i).or_default() += 1 << (n.level - tiles[i].level * self.height);
            hashes.push(tiles[i].hash_of(&data[i], *n));
        }
        if fold(&hashes) != self.tree.hash {
            return Err(Error::new(
                ErrorKind::Unverified,
                format!(
                    "the tiles at the right edge of the tree ({}) do not hash to the signed root of tree {size}",
                    covered.keys().map(|&i| tiles[i].path()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        for (i, t) in tiles.iter().enumerate() {
            if let Some(c) = covered.get(&i) {
                // Every hash of an edge tile went into the root.
                assert_eq!(
                    *c,
                    u64::from(t.width),
                    "tile math: {t} is not wholly under the root"
                );
                continue;
            }
            let top = t.top_node();
            let p = tiles.iter().position(|p| p.holds(top)).expect("planned");
            if merkle(&data[i]) != tiles[p].hash_of(&data[p], top) {
                return Err(Error::new(
                    ErrorKind::Unverified,
                    format!(
                        "tile {t} does not hash to its entry in its parent tile {}",
                        tiles[p]
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl HashReader for TileHashReader<'_> {
    fn read_hashes(&self, nodes: &[Node]) -> Result<Vec<Hash>> {
        if self.tree.size == 0 {
            return Err(Error::new(ErrorKind::Malformed, "the tree is empty"));
        }
        let (tiles, at) = self.plan(nodes)?;
        let data = self.source.read_tiles(&tiles)?;
        if data.len() != tiles.len() {
            return Err(Error::new(
                ErrorKind::Malformed,
                "the tile source lost tiles",
            ));
        }
        for (t, d) in tiles.iter().zip(&data) {
            if d.len() != t.width as usize * HASH_SIZE {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    format!(
                        "tile {t} has {} bytes, not {} ({} hashes)",
                        d.len(),
                        t.width as usize * HASH_SIZE,
                        t.width
                    ),
                ));
            }
        }
        self.authenticate(&tiles, &data)?;
        self.source.save_tiles(&tiles, &data);
        Ok(nodes
            .iter()
            .zip(at)
            .map(|(n, i)| tiles[i].hash_of(&data[i], *n))
            .collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tlog::tests::{leaves, mth, Memory};
    use crate::tlog::{check_record_proof, record_proof, tree_hash, tree_proof};
    use std::cell::RefCell;

    /// Tiles served from a complete in-memory tree, with a log of reads
    /// and optional tampering.
    pub(crate) struct MemTiles {
        pub(crate) mem: Memory,
        pub(crate) reads: RefCell<Vec<Tile>>,
        pub(crate) tamper: RefCell<HashMap<Tile, Vec<u8>>>,
    }

    impl MemTiles {
        pub(crate) fn new(leaves: &[Hash]) -> Self {
            Self {
                mem: Memory::new(leaves),
                reads: RefCell::new(Vec::new()),
                tamper: RefCell::new(HashMap::new()),
            }
        }

        pub(crate) fn data(&self, t: &Tile) -> Vec<u8> {
            if let Some(d) = self.tamper.borrow().get(t) {
                return d.clone();
            }
            let mut out = Vec::new();
            for i in 0..u64::from(t.width) {
                let n = Node {
                    level: t.level * t.height,
                    index: (t.index << t.height) + i,
                };
                out.extend_from_slice(&self.mem.0[&n].0);
            }
            out
        }
    }

    impl TileSource for MemTiles {
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>> {
            self.reads.borrow_mut().extend_from_slice(tiles);
            Ok(tiles.iter().map(|t| self.data(t)).collect())
        }
    }

    /// The record hash node of record `i`, as a one-node request.
    fn leaf(i: u64) -> [Node; 1] {
        [Node { level: 0, index: i }]
    }

    fn tile(level: u8, index: u64, width: u32) -> Tile {
        Tile {
            height: 8,
            level,
            index,
            width,
        }
    }

    #[test]
    fn tile_paths_format_and_parse() {
        let cases = [
            (tile(0, 0, 256), "tile/8/0/000"),
            (tile(0, 1, 256), "tile/8/0/001"),
            (tile(2, 1234067, 256), "tile/8/2/x001/x234/067"),
            (tile(0, 1234067, 5), "tile/8/0/x001/x234/067.p/5"),
            (tile(1, 1000, 1), "tile/8/1/x001/000.p/1"),
            (tile(3, 999, 255), "tile/8/3/999.p/255"),
        ];
        for (t, p) in cases {
            assert_eq!(t.path(), p);
            assert_eq!(Tile::parse_path(p).unwrap(), (t, false));
        }
        assert_eq!(
            tile(0, 1234067, 5).data_path(),
            "tile/8/data/x001/x234/067.p/5"
        );
        assert_eq!(
            Tile::parse_path("tile/8/data/x001/x234/067.p/5").unwrap(),
            (tile(0, 1234067, 5), true)
        );
        for bad in [
            "tile/8/0/1",
            "tile/8/0/0001",
            "tile/8/0/x000/001",
            "tile/8/0/001/002",
            "tile/8/0/x001",
            "tile/8/0/001.p/256",
            "tile/8/0/001.p/0",
            "tile/8/0/001.p/",
            "tile/0/0/001",
            "tile/31/0/001",
            "tile/8/64/001",
            "tile/8/-1/001",
            "tile/8/0/../001",
            "tiles/8/0/001",
            "tile/8/0",
            "tile/8/0/x1000/000",
        ] {
            assert!(Tile::parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_node_lives_in_the_widest_tile_the_tree_has() {
        // 70000 records: 273 full level-0 tiles and one of width 112.
        let n = 70_000;
        assert_eq!(
            Tile::for_node(
                8,
                Node {
                    level: 0,
                    index: 300
                },
                n
            ),
            tile(0, 1, 256)
        );
        assert_eq!(
            Tile::for_node(
                8,
                Node {
                    level: 0,
                    index: 69_950
                },
                n
            ),
            tile(0, 273, 112)
        );
        assert_eq!(
            Tile::for_node(8, Node { level: 8, index: 1 }, n),
            tile(1, 0, 256)
        );
        assert_eq!(
            Tile::for_node(
                8,
                Node {
                    level: 8,
                    index: 272
                },
                n
            ),
            tile(1, 1, 17)
        );
        assert_eq!(
            Tile::for_node(
                8,
                Node {
                    level: 16,
                    index: 0
                },
                n
            ),
            tile(2, 0, 1)
        );
        assert_eq!(
            Tile::for_node(
                8,
                Node {
                    level: 3,
                    index: 36
                },
                300
            ),
            tile(0, 1, 44)
        );
    }

    #[test]
    fn hashes_through_tiles_equal_the_tree_for_every_size_and_height() {
        let all = leaves(150);
        let sizes = (1..=66u64).chain([127, 128, 129, 150]);
        for height in 1..=3u8 {
            let src = MemTiles::new(&all);
            for size in sizes.clone() {
                let root = mth(&all[..size as usize]);
                let tree = Tree { size, hash: root };
                let r = TileHashReader::new(tree, height, &src);
                let step = if size > 66 { 5 } else { 1 };
                for i in (0..size).step_by(step).chain([size - 1]) {
                    let got = r.read_hashes(&[Node { level: 0, index: i }]).unwrap();
                    assert_eq!(got[0], all[i as usize], "h={height} size={size} i={i}");
                    let p = record_proof(size, i, &r).unwrap();
                    assert!(check_record_proof(&p, size, &root, i, &all[i as usize]));
                }
                for old in (1..=size).step_by(step).chain([size]) {
                    assert_eq!(tree_hash(old, &r).unwrap(), mth(&all[..old as usize]));
                }
                assert!(tree_proof(size, 1, &r).is_ok());
            }
        }
    }

    /// Sets up the sumdb shape: 70,000 records, record 300 in the full
    /// level-0 tile 1, whose parent is the full level-1 tile 0.
    fn big() -> (Vec<Hash>, MemTiles, Tree) {
        let all = leaves(70_000);
        let src = MemTiles::new(&all);
        let hash = tree_hash(70_000, &src.mem).unwrap();
        (all, src, Tree { size: 70_000, hash })
    }

    #[test]
    fn every_tile_read_is_authenticated_including_a_full_one_far_from_the_edge() {
        let (all, src, tree) = big();
        let r = TileHashReader::new(tree, 8, &src);
        let got = r.read_hashes(&leaf(300)).unwrap();
        assert_eq!(got[0], all[300]);
        let mut reads: Vec<String> = src.reads.borrow().iter().map(Tile::path).collect();
        reads.sort();
        assert_eq!(
            reads,
            [
                "tile/8/0/001",
                "tile/8/0/273.p/112",
                "tile/8/1/000",
                "tile/8/1/001.p/17",
                "tile/8/2/000.p/1"
            ]
        );

        // A forged record in tile 0/001: only that tile changes. Refused.
        let t = tile(0, 1, 256);
        let mut d = src.data(&t);
        d[44 * 32..45 * 32].copy_from_slice(&crate::tlog::record_hash(b"forged\n").0);
        src.tamper.borrow_mut().insert(t, d.clone());
        let e = r.read_hashes(&leaf(300)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unverified);
        assert_eq!(
            e.to_string(),
            "tile tile/8/0/001 does not hash to its entry in its parent tile tile/8/1/000"
        );
        // Another record of the same tile is refused too: the tile is forged.
        assert!(r.read_hashes(&leaf(260)).is_err());
        // Records in other tiles still read.
        assert_eq!(r.read_hashes(&leaf(10)).unwrap()[0], all[10]);

        // The forger fixes the level-1 tile too: it no longer fits level 2.
        let p = tile(1, 0, 256);
        let mut pd = src.data(&p);
        pd[32..64].copy_from_slice(&merkle(&d).0);
        src.tamper.borrow_mut().insert(p, pd);
        let e = r.read_hashes(&leaf(300)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tile tile/8/1/000 does not hash to its entry in its parent tile tile/8/2/000.p/1"
        );
    }

    #[test]
    fn a_tampered_edge_tile_does_not_hash_to_the_root() {
        let (_, src, tree) = big();
        let t = tile(0, 273, 112);
        let mut d = src.data(&t);
        d[0] ^= 1;
        src.tamper.borrow_mut().insert(t, d);
        let r = TileHashReader::new(tree, 8, &src);
        let e = r.read_hashes(&leaf(5)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unverified);
        assert!(
            e.to_string()
                .contains("do not hash to the signed root of tree 70000"),
            "{e}"
        );
        // A wrong root refuses everything.
        let src = big().1;
        let bad = Tree {
            size: 70_000,
            hash: crate::tlog::record_hash(b"x"),
        };
        let r = TileHashReader::new(bad, 8, &src);
        assert!(r.read_hashes(&leaf(5)).is_err());
    }

    #[test]
    fn short_tiles_and_nodes_outside_the_tree_are_refused() {
        let (_, src, tree) = big();
        let t = tile(1, 0, 256);
        src.tamper.borrow_mut().insert(t, vec![0; 100]);
        let r = TileHashReader::new(tree, 8, &src);
        let e = r.read_hashes(&leaf(300)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tile tile/8/1/000 has 100 bytes, not 8192 (256 hashes)"
        );
        let e = r.read_hashes(&leaf(70_000)).unwrap_err();
        assert!(e.to_string().contains("is not in a tree of 70000"), "{e}");
        let empty = TileHashReader::new(Tree::default(), 8, &src);
        assert!(empty.read_hashes(&leaf(0)).is_err());
    }
}
