//! The transparency log behind a checksum database (RFC 6962 hashing):
//! record and node hashes, tree heads, the perfect subtrees a tree is made
//! of, record (inclusion) proofs and tree (consistency) proofs, and the
//! lookup answer format.
//!
//! A *node* `(level, index)` is the hash of the records `index·2^level ..
//! (index+1)·2^level`; level 0 holds the record hashes. A tree of `n`
//! records is the fold, right to left, of the perfect subtrees
//! `subtrees(0, n)`.

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{shown, shown_bytes, Error, ErrorKind, Result};

/// A SHA-256 hash in the log.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

impl fmt::Display for Hash {
    /// Standard base64, as tree heads write it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&B64.encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl Hash {
    /// Parses standard base64 of 32 bytes.
    pub fn parse(s: &str) -> Option<Self> {
        let b = B64.decode(s).ok()?;
        Some(Self(b.try_into().ok()?))
    }

    /// The hash at `i` (0-based) in a run of concatenated hashes.
    pub(crate) fn at(data: &[u8], i: usize) -> Self {
        let mut h = [0; 32];
        h.copy_from_slice(&data[i * 32..i * 32 + 32]);
        Self(h)
    }
}

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ record).
pub fn record_hash(record: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(record);
    Hash(h.finalize().into())
}

/// RFC 6962 interior hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// A node of the tree: the hash of records `index·2^level .. (index+1)·2^level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    /// Height above the records (0: a record hash).
    pub level: u8,
    /// Position among the nodes of its level.
    pub index: u64,
}

impl Node {
    /// The first record under this node.
    pub fn first(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last record under this node.
    pub fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }
}

/// The perfect subtrees that make up records `lo..hi`, left to right,
/// largest first. `lo` must be a multiple of the first one's size (always
/// true for `lo == 0`).
pub fn subtrees(mut lo: u64, hi: u64) -> Vec<Node> {
    let mut out = Vec::new();
    while lo < hi {
        let level = (hi - lo).ilog2() as u8;
        let level = (0..=level)
            .rev()
            .find(|&l| lo.is_multiple_of(1u64 << l))
            .unwrap_or(0);
        out.push(Node {
            level,
            index: lo >> level,
        });
        lo += 1 << level;
    }
    out
}

/// Folds the hashes of consecutive subtrees (as [`subtrees`] lists them)
/// into the hash of their union: right to left.
pub fn fold(hashes: &[Hash]) -> Hash {
    let mut it = hashes.iter().rev();
    let Some(last) = it.next() else {
        return Hash::default();
    };
    it.fold(*last, |acc, h| node_hash(h, &acc))
}

/// Reads node hashes; the tile reader implements it so that every hash
/// comes from tiles authenticated against a signed tree head.
pub trait HashReader {
    /// The hashes of `nodes`, in order.
    fn read_hashes(&self, nodes: &[Node]) -> Result<Vec<Hash>>;
}

/// The hash of the tree of the first `size` records.
pub fn tree_hash(size: u64, r: &dyn HashReader) -> Result<Hash> {
    if size == 0 {
        return Ok(Hash::default());
    }
    Ok(fold(&r.read_hashes(&subtrees(0, size))?))
}

/// Largest power of two strictly less than `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    1 << (n - 1).ilog2()
}

/// What a proof is about: a record's inclusion, or an older tree's
/// consistency with a newer one.
#[derive(Clone, Copy)]
enum Target {
    Record(u64),
    Tree(u64),
}

/// The ranges of records whose (folded) hashes make up the proof of
/// `target` in the tree `lo..hi`, bottom-up.
fn proof_ranges(target: Target, lo: u64, hi: u64, out: &mut Vec<(u64, u64)>) {
    match target {
        Target::Record(_) if hi - lo <= 1 => return,
        Target::Tree(old) if old == hi => {
            if lo != 0 {
                out.push((lo, hi));
            }
            return;
        }
        _ => {}
    }
    let k = split_point(hi - lo);
    let left = match target {
        Target::Record(index) => index < lo + k,
        Target::Tree(old) => old <= lo + k,
    };
    if left {
        proof_ranges(target, lo, lo + k, out);
        out.push((lo + k, hi));
    } else {
        proof_ranges(target, lo + k, hi, out);
        out.push((lo, lo + k));
    }
}

/// The proof of `target` in the tree of `size` records, from `r`.
fn prove(target: Target, size: u64, r: &dyn HashReader) -> Result<Vec<Hash>> {
    let mut ranges = Vec::new();
    proof_ranges(target, 0, size, &mut ranges);
    let nodes: Vec<Node> = ranges
        .iter()
        .flat_map(|&(lo, hi)| subtrees(lo, hi))
        .collect();
    let hashes = r.read_hashes(&nodes)?;
    let mut it = hashes.iter();
    Ok(ranges
        .iter()
        .map(|&(lo, hi)| take_subtree(lo, hi, &mut it))
        .collect())
}

/// Consumes subtree hashes of `lo..hi` from the front of `hashes`, folded.
fn take_subtree(lo: u64, hi: u64, hashes: &mut std::slice::Iter<'_, Hash>) -> Hash {
    let n = subtrees(lo, hi).len();
    let parts: Vec<Hash> = hashes.take(n).copied().collect();
    fold(&parts)
}

/// The RFC 6962 audit path of record `index` in the tree of `size`
/// records: sibling hashes from the record up.
pub fn record_proof(size: u64, index: u64, r: &dyn HashReader) -> Result<Vec<Hash>> {
    if index >= size {
        return Err(Error::new(
            ErrorKind::Malformed,
            format!("record {index} is not in a tree of {size} records"),
        ));
    }
    prove(Target::Record(index), size, r)
}

fn run_record_proof(p: &[Hash], lo: u64, hi: u64, index: u64, leaf: Hash) -> Option<Hash> {
    if hi - lo == 1 {
        return p.is_empty().then_some(leaf);
    }
    let (last, rest) = p.split_last()?;
    let k = split_point(hi - lo);
    if index < lo + k {
        Some(node_hash(
            &run_record_proof(rest, lo, lo + k, index, leaf)?,
            last,
        ))
    } else {
        Some(node_hash(
            last,
            &run_record_proof(rest, lo + k, hi, index, leaf)?,
        ))
    }
}

/// Whether `proof` shows record hash `leaf` at `index` in the tree of
/// `size` records with hash `root`.
pub fn check_record_proof(proof: &[Hash], size: u64, root: &Hash, index: u64, leaf: &Hash) -> bool {
    index < size && run_record_proof(proof, 0, size, index, *leaf).as_ref() == Some(root)
}

/// The RFC 6962 consistency proof that the tree of `old` records is a
/// prefix of the tree of `size` records (`1 ≤ old ≤ size`).
pub fn tree_proof(size: u64, old: u64, r: &dyn HashReader) -> Result<Vec<Hash>> {
    if old == 0 || old > size {
        return Err(Error::new(
            ErrorKind::Malformed,
            format!("no consistency proof from a tree of {old} records to one of {size}"),
        ));
    }
    prove(Target::Tree(old), size, r)
}

/// Runs a consistency proof: the (old, new) hashes it implies.
fn run_tree_proof(p: &[Hash], lo: u64, hi: u64, old: u64, old_hash: Hash) -> Option<(Hash, Hash)> {
    if old == hi {
        if lo == 0 {
            return p.is_empty().then_some((old_hash, old_hash));
        }
        return (p.len() == 1).then(|| (p[0], p[0]));
    }
    let (last, rest) = p.split_last()?;
    let k = split_point(hi - lo);
    if old <= lo + k {
        let (oh, th) = run_tree_proof(rest, lo, lo + k, old, old_hash)?;
        Some((oh, node_hash(&th, last)))
    } else {
        let (oh, th) = run_tree_proof(rest, lo + k, hi, old, old_hash)?;
        Some((node_hash(last, &oh), node_hash(last, &th)))
    }
}

/// Whether `proof` shows the tree of `old` records with hash `old_hash`
/// is a prefix of the tree of `size` records with hash `root`.
pub fn check_tree_proof(proof: &[Hash], size: u64, root: &Hash, old: u64, old_hash: &Hash) -> bool {
    old >= 1
        && old <= size
        && run_tree_proof(proof, 0, size, old, *old_hash) == Some((*old_hash, *root))
}

/// A tree head: the number of records and the tree's hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tree {
    /// Number of records.
    pub size: u64,
    /// The root hash.
    pub hash: Hash,
}

/// The first line of a checksum database's tree head note.
pub const TREE_PREFIX: &str = "go.sum database tree\n";

impl Tree {
    /// The tree head note text: `go.sum database tree\n<size>\n<base64 hash>\n`.
    pub fn to_note_text(&self) -> String {
        format!("{TREE_PREFIX}{}\n{}\n", self.size, self.hash)
    }

    /// Parses a tree head note's text. Lines after the hash (extensions)
    /// are allowed, as Go allows them.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::Malformed,
                format!("malformed tree head `{}`: {why}", shown(text, 120)),
            )
        };
        let rest = text
            .strip_prefix(TREE_PREFIX)
            .ok_or_else(|| bad("it does not start with `go.sum database tree`"))?;
        let mut lines = rest.splitn(3, '\n');
        let (Some(n), Some(h), Some(_)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(bad("it does not have a size line and a hash line"));
        };
        let size = n
            .parse::<u64>()
            .ok()
            .filter(|s| s.to_string() == n && *s < 1 << 62)
            .ok_or_else(|| bad("the size is not a decimal number"))?;
        let hash = Hash::parse(h).ok_or_else(|| bad("the hash is not base64 of 32 bytes"))?;
        Ok(Self { size, hash })
    }
}

/// Whether `text` is valid record text: UTF-8, no control characters but
/// newlines, no blank line, ending in a newline.
pub fn is_valid_record_text(text: &str) -> bool {
    text.ends_with('\n')
        && !text.starts_with('\n')
        && !text.contains("\n\n")
        && !text.chars().any(|c| c < ' ' && c != '\n')
}

/// A lookup answer split up: `<id>\n<record text>\n<signed tree note>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupAnswer<'a> {
    /// The record number.
    pub id: u64,
    /// The record text (go.sum lines, ending in a newline).
    pub text: &'a str,
    /// The signed tree head note that follows.
    pub note: &'a [u8],
}

/// Parses a lookup answer.
pub fn parse_lookup(msg: &[u8]) -> Result<LookupAnswer<'_>> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::Malformed,
            format!(
                "malformed lookup answer starting `{}`: {why}",
                shown_bytes(msg, 80)
            ),
        )
    };
    let nl = msg
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad("no record number line"))?;
    let id_s =
        std::str::from_utf8(&msg[..nl]).map_err(|_| bad("the record number is not a number"))?;
    let id = id_s
        .parse::<u64>()
        .ok()
        .filter(|v| v.to_string() == id_s)
        .ok_or_else(|| bad("the record number is not a number"))?;
    let rest = &msg[nl + 1..];
    let end = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or_else(|| bad("no blank line after the record"))?;
    let text = std::str::from_utf8(&rest[..end + 1]).map_err(|_| bad("the record is not UTF-8"))?;
    if !is_valid_record_text(text) {
        return Err(bad("the record holds control characters or is empty"));
    }
    Ok(LookupAnswer {
        id,
        text,
        note: &rest[end + 2..],
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Reference RFC 6962 hash of `leaves[lo..hi]`, by the definition.
    pub(crate) fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => Hash::default(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    /// Leaves for tests: the record hashes of `record <i>\n`.
    pub(crate) fn leaves(n: u64) -> Vec<Hash> {
        (0..n)
            .map(|i| record_hash(format!("record {i}\n").as_bytes()))
            .collect()
    }

    /// Every node of a tree, by brute force.
    pub(crate) struct Memory(pub(crate) HashMap<Node, Hash>);

    impl Memory {
        pub(crate) fn new(leaves: &[Hash]) -> Self {
            let mut m = HashMap::new();
            let mut level = leaves.to_vec();
            let mut l = 0u8;
            while !level.is_empty() {
                for (i, h) in level.iter().enumerate() {
                    m.insert(
                        Node {
                            level: l,
                            index: i as u64,
                        },
                        *h,
                    );
                }
                level = level
                    .chunks_exact(2)
                    .map(|p| node_hash(&p[0], &p[1]))
                    .collect();
                l += 1;
            }
            Self(m)
        }
    }

    impl HashReader for Memory {
        fn read_hashes(&self, nodes: &[Node]) -> Result<Vec<Hash>> {
            nodes
                .iter()
                .map(|n| {
                    self.0
                        .get(n)
                        .copied()
                        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("{n:?}")))
                })
                .collect()
        }
    }

    #[test]
    fn known_rfc6962_hashes() {
        // The empty-record leaf hash and a two-leaf tree (RFC 6962 test vectors).
        assert_eq!(
            record_hash(b"").to_string(),
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="
        );
        let l0 = record_hash(b"");
        let l1 = record_hash(&[0]);
        assert_eq!(
            node_hash(&l0, &l1).0[..4],
            Sha256::digest([&[1u8][..], &l0.0, &l1.0].concat())[..4]
        );
    }

    #[test]
    fn subtrees_cover_the_range_with_perfect_aligned_trees() {
        for n in 0..300u64 {
            let s = subtrees(0, n);
            let mut at = 0;
            for node in &s {
                assert_eq!(node.first(), at);
                at = node.end();
            }
            assert_eq!(at, n);
            assert_eq!(s.len() as u32, n.count_ones());
        }
        assert_eq!(
            subtrees(256, 300),
            vec![
                Node { level: 5, index: 8 },
                Node {
                    level: 3,
                    index: 36
                },
                Node {
                    level: 2,
                    index: 74
                }
            ]
        );
    }

    #[test]
    fn tree_hash_matches_the_definition() {
        let all = leaves(140);
        let m = Memory::new(&all);
        for n in 0..=140u64 {
            assert_eq!(tree_hash(n, &m).unwrap(), mth(&all[..n as usize]), "n={n}");
        }
    }

    #[test]
    fn record_proofs_verify_and_reject_wrong_inputs() {
        let all = leaves(70);
        let m = Memory::new(&all);
        for n in 1..=70u64 {
            let root = mth(&all[..n as usize]);
            for i in 0..n {
                let p = record_proof(n, i, &m).unwrap();
                assert!(
                    check_record_proof(&p, n, &root, i, &all[i as usize]),
                    "n={n} i={i}"
                );
                let other = (i + 1) % n;
                if other != i {
                    assert!(!check_record_proof(&p, n, &root, i, &all[other as usize]));
                }
                if let Some(first) = p.first() {
                    let mut bad = p.clone();
                    bad[0] = node_hash(first, first);
                    assert!(!check_record_proof(&bad, n, &root, i, &all[i as usize]));
                    assert!(!check_record_proof(&p[1..], n, &root, i, &all[i as usize]));
                }
            }
        }
        assert!(record_proof(5, 5, &m).is_err());
    }

    #[test]
    fn tree_proofs_verify_and_reject_forks() {
        let all = leaves(70);
        let m = Memory::new(&all);
        let mut forked = all.clone();
        forked[20] = record_hash(b"forged\n");
        for n in 1..=70u64 {
            let root = mth(&all[..n as usize]);
            for old in 1..=n {
                let old_hash = mth(&all[..old as usize]);
                let p = tree_proof(n, old, &m).unwrap();
                assert!(
                    check_tree_proof(&p, n, &root, old, &old_hash),
                    "n={n} old={old}"
                );
                let fork_hash = mth(&forked[..old as usize]);
                if fork_hash != old_hash {
                    assert!(
                        !check_tree_proof(&p, n, &root, old, &fork_hash),
                        "n={n} old={old}"
                    );
                }
                if old < n {
                    assert!(!check_tree_proof(&p, n, &old_hash, old, &old_hash));
                }
            }
        }
        assert!(tree_proof(5, 0, &m).is_err());
        assert!(tree_proof(5, 6, &m).is_err());
    }

    #[test]
    fn tree_heads_parse_and_format() {
        let t = Tree::parse(
            "go.sum database tree\n28905453\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n",
        )
        .unwrap();
        assert_eq!(t.size, 28905453);
        assert_eq!(
            t.hash.to_string(),
            "f3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w="
        );
        assert_eq!(Tree::parse(&t.to_note_text()).unwrap(), t);
        // Extension lines after the hash are allowed.
        assert!(Tree::parse(&format!("{}ext\n", t.to_note_text())).is_ok());
        for bad in [
            "go.sum database tree\n",
            "go.sum database tree\n12\n",
            "go.sum database tree\n12\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=",
            "go.sum database tree\n012\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n",
            "go.sum database tree\n-1\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n",
            "go.sum database tree\n12\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w\n",
            "go.sum database tree\n12\nAAAA\n",
            "other tree\n12\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n",
        ] {
            let e = Tree::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Malformed, "{bad:?}");
        }
    }

    #[test]
    fn lookup_answers_split_into_record_and_note() {
        let msg = b"24929362\ngolang.org/toolchain v0.0.1-go1.21.9.linux-amd64 h1:rRL9rPpsjKfpdDFcppvNgw1/dynUMrpDcTxdIwtyFR0=\ngolang.org/toolchain v0.0.1-go1.21.9.linux-amd64/go.mod h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=\n\ngo.sum database tree\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n-- x y\n";
        let a = parse_lookup(msg).unwrap();
        assert_eq!(a.id, 24929362);
        assert_eq!(a.text.lines().count(), 2);
        assert!(a.note.starts_with(b"go.sum database tree\n1\n"));
        for bad in [
            &b"x\nrec\n\nnote"[..],
            b"12",
            b"12\nrec\nnote",
            b"12\n\nnote",
            b"012\nrec\n\nnote",
            b"12\nre\x01c\n\nnote",
        ] {
            let e = parse_lookup(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Malformed, "{bad:?}");
        }
    }
}
