use super::*;
use crate::note::tests::TestSigner;
use crate::tlog::tests::Memory;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MODULE: &str = "golang.org/toolchain";
const VERSION: &str = "v0.0.1-go1.22.10.linux-amd64";
const ZIP_H1: &str = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const MOD_H1: &str = "h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=";
/// Where the toolchain's record sits: in the full level-0 tile 1.
const AT: usize = 300;

fn toolchain_record(h1: &str) -> String {
    format!("{MODULE} {VERSION} {h1}\n{MODULE} {VERSION}/go.mod {MOD_H1}\n")
}

/// A log of `n` records: fillers, with the toolchain's at [`AT`].
fn records(n: usize, fork_from: Option<usize>) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i == AT {
                toolchain_record(ZIP_H1)
            } else if fork_from.is_some_and(|f| i >= f) {
                format!("example.com/fork{i} v1.0.0 {ZIP_H1}\n")
            } else {
                format!("example.com/m{i} v1.0.0 {ZIP_H1}\n")
            }
        })
        .collect()
}

/// A checksum database in memory: serves a head for the first `head`
/// records, tiles for the first `tiles` records, and logs every request.
struct TestDb {
    signer: TestSigner,
    records: Vec<String>,
    mem: Arc<Memory>,
    head: u64,
    tiles: u64,
    overrides: Mutex<HashMap<String, std::result::Result<Vec<u8>, FetchError>>>,
    log: Mutex<Vec<String>>,
}

impl TestDb {
    fn new(records: Vec<String>) -> Self {
        let leaves: Vec<_> = records.iter().map(|r| record_hash(r.as_bytes())).collect();
        let n = records.len() as u64;
        Self {
            signer: TestSigner::new("sum.test", 9),
            records,
            mem: Arc::new(Memory::new(&leaves)),
            head: n,
            tiles: n,
            overrides: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        }
    }

    fn tree(&self, size: u64) -> Tree {
        Tree {
            size,
            hash: tree_hash(size, self.mem.as_ref()).unwrap(),
        }
    }

    fn head_note(&self) -> String {
        self.signer.sign(&self.tree(self.head).to_note_text())
    }

    fn put(&self, path: &str, r: std::result::Result<Vec<u8>, FetchError>) {
        self.overrides.lock().unwrap().insert(path.into(), r);
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn tile_data(&self, t: &Tile) -> Option<Vec<u8>> {
        let level = t.level * t.height;
        let end = ((t.index << t.height) + u64::from(t.width)) << level;
        if end > self.tiles {
            return None;
        }
        let mut out = Vec::new();
        for i in 0..u64::from(t.width) {
            let n = Node {
                level,
                index: (t.index << t.height) + i,
            };
            out.extend_from_slice(&self.mem.0[&n].0);
        }
        Some(out)
    }
}

impl Fetcher for TestDb {
    fn get(&self, path: &str) -> std::result::Result<Vec<u8>, FetchError> {
        self.log.lock().unwrap().push(path.to_string());
        if let Some(r) = self.overrides.lock().unwrap().get(path) {
            return r.clone();
        }
        let nf = || FetchError::NotFound("404 Not Found: not found".into());
        if path == "latest" {
            return Ok(self.head_note().into_bytes());
        }
        if let Some(mv) = path.strip_prefix("lookup/") {
            let (m, v) = mv.split_once('@').ok_or_else(nf)?;
            let prefix = format!("{m} {v} ");
            let id = self
                .records
                .iter()
                .position(|r| r.starts_with(&prefix))
                .ok_or_else(nf)?;
            let mut body = format!("{id}\n{}\n", self.records[id]);
            body.push_str(&self.head_note());
            return Ok(body.into_bytes());
        }
        let (t, data) = Tile::parse_path(path).map_err(|_| nf())?;
        if data {
            return Err(nf());
        }
        self.tile_data(&t).ok_or_else(nf)
    }

    fn url(&self, path: &str) -> String {
        format!("https://sum.test/{path}")
    }
}

fn client(db: &Arc<TestDb>, state: &Path) -> Client<Arc<TestDb>> {
    Client::new(db.signer.verifier(), db.clone(), state)
}

fn stored_size(state: &Path) -> u64 {
    let text = fs::read_to_string(state.join("latest")).unwrap();
    Tree::parse(&text[..text.find("\n\n").unwrap() + 1])
        .unwrap()
        .size
}

#[test]
fn a_lookup_is_proven_through_a_full_tile_far_from_the_edge_and_the_head_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(TestDb::new(records(70_000, None)));
    let c = client(&db, tmp.path());
    let r = c.lookup(MODULE, VERSION).unwrap();
    assert_eq!(r.id, AT as u64);
    assert_eq!(r.h1(), Some(ZIP_H1));
    assert_eq!(r.go_mod_h1(), Some(MOD_H1));
    assert_eq!(r.tree.size, 70_000);
    let mut reqs = db.requests();
    reqs.sort();
    assert_eq!(
        reqs,
        [
            "lookup/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64",
            "tile/8/0/001",
            "tile/8/0/273.p/112",
            "tile/8/1/000",
            "tile/8/1/001.p/17",
            "tile/8/2/000.p/1"
        ]
    );
    assert_eq!(fs::read_to_string(c.latest_file()).unwrap(), db.head_note());
    assert_eq!(c.stored().unwrap().unwrap().tree, db.tree(70_000));
}

#[test]
fn a_grown_log_is_checked_for_consistency_and_the_newer_head_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let all = records(70_500, None);
    let mut small = TestDb::new(all.clone());
    small.head = 70_000;
    small.tiles = 70_000;
    client(&Arc::new(small), tmp.path())
        .lookup(MODULE, VERSION)
        .unwrap();
    assert_eq!(stored_size(tmp.path()), 70_000);
    let big = Arc::new(TestDb::new(all));
    let r = client(&big, tmp.path()).lookup(MODULE, VERSION).unwrap();
    assert_eq!(r.tree.size, 70_500);
    assert_eq!(stored_size(tmp.path()), 70_500);
    // An older, consistent head (a stale proxy cache) is fine: the record
    // is proven in the stored, newer tree, which stays stored.
    let mut stale = TestDb::new(records(70_500, None));
    stale.head = 70_000;
    let r = client(&Arc::new(stale), tmp.path())
        .lookup(MODULE, VERSION)
        .unwrap();
    assert_eq!(r.tree.size, 70_500);
    assert_eq!(stored_size(tmp.path()), 70_500);
}

#[test]
fn a_forked_log_is_a_security_error_with_both_heads() {
    let tmp = tempfile::tempdir().unwrap();
    let good = Arc::new(TestDb::new(records(70_000, None)));
    client(&good, tmp.path()).lookup(MODULE, VERSION).unwrap();
    let before = fs::read(tmp.path().join("latest")).unwrap();
    // A bigger tree that rewrote record 60,000 onwards.
    let fork = Arc::new(TestDb::new(records(70_100, Some(60_000))));
    let e = client(&fork, tmp.path())
        .lookup(MODULE, VERSION)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Security, "{e}");
    let ev = e.evidence().unwrap();
    assert_eq!(ev.what, Misbehavior::Fork);
    assert_eq!(ev.older, good.tree(70_000));
    assert_eq!(ev.newer, fork.tree(70_100));
    assert_eq!(ev.older_note, good.head_note());
    assert_eq!(ev.newer_note, fork.head_note());
    assert_eq!(ev.computed, Some(fork.tree(70_000).hash));
    assert!(!ev.proof.is_empty());
    // The proof shows the fork's tree holds the computed prefix.
    assert!(tlog::check_tree_proof(
        &ev.proof,
        70_100,
        &fork.tree(70_100).hash,
        70_000,
        &fork.tree(70_000).hash
    ));
    let text = e.to_string();
    assert!(text.starts_with("SECURITY ERROR: the checksum database sum.test signed two trees that contradict each other: tree 70000 is not a prefix of tree 70100"), "{text}");
    assert!(
        text.contains("older tree head:\n\tgo.sum database tree\n\t70000\n"),
        "{text}"
    );
    assert!(e.hint().unwrap().contains("Nothing was installed"));
    assert_eq!(
        fs::read(tmp.path().join("latest")).unwrap(),
        before,
        "the stored head is kept"
    );

    // The same size with another hash: a fork. A smaller forked tree,
    // whose tiles cannot prove it part of the stored tree: a rollback.
    for (n, what) in [(70_000, Misbehavior::Fork), (65_000, Misbehavior::Rollback)] {
        let mut fork = TestDb::new(records(70_000, Some(50_000)));
        fork.head = n;
        let e = client(&Arc::new(fork), tmp.path())
            .lookup(MODULE, VERSION)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Security, "{n}: {e}");
        assert_eq!(e.evidence().unwrap().what, what);
    }
    assert_eq!(fs::read(tmp.path().join("latest")).unwrap(), before);
}

#[test]
fn a_database_gone_back_in_time_is_a_rollback() {
    let tmp = tempfile::tempdir().unwrap();
    let all = records(70_000, None);
    client(&Arc::new(TestDb::new(all.clone())), tmp.path())
        .lookup(MODULE, VERSION)
        .unwrap();
    // The database restarted from an old snapshot: an old head, old tiles.
    let mut old = TestDb::new(all);
    old.head = 69_000;
    old.tiles = 69_000;
    let e = client(&Arc::new(old), tmp.path())
        .lookup(MODULE, VERSION)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Security, "{e}");
    let ev = e.evidence().unwrap();
    assert_eq!(ev.what, Misbehavior::Rollback);
    assert_eq!((ev.older.size, ev.newer.size), (69_000, 70_000));
    assert!(
        e.to_string()
            .contains("answered with tree 69000, older than tree 70000 gover verified before"),
        "{e}"
    );
    assert_eq!(stored_size(tmp.path()), 70_000);
}

#[test]
fn forged_records_and_tiles_are_unverified() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(TestDb::new(records(70_000, None)));
    let forged = toolchain_record("h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=");
    let body = format!("{AT}\n{forged}\n{}", db.head_note());
    let path = lookup_path(MODULE, VERSION).unwrap();
    db.put(&path, Ok(body.into_bytes()));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified, "{e}");
    assert_eq!(
        e.to_string(),
        "checksum database sum.test: record 300 for golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64: the record served is not the one in the log (tree 70000)"
    );
    // The forger also puts the record's hash in its own full level-0 tile.
    let t = Tile {
        height: 8,
        level: 0,
        index: 1,
        width: 256,
    };
    let mut d = db.tile_data(&t).unwrap();
    d[44 * 32..45 * 32].copy_from_slice(&record_hash(forged.as_bytes()).0);
    db.put("tile/8/0/001", Ok(d));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified, "{e}");
    assert!(
        e.to_string().ends_with(
            "tile tile/8/0/001 does not hash to its entry in its parent tile tile/8/1/000"
        ),
        "{e}"
    );
    // A record number beyond the tree, and a record about another module.
    let body = format!("70000\n{}\n{}", toolchain_record(ZIP_H1), db.head_note());
    db.put(&path, Ok(body.into_bytes()));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert!(
        e.to_string()
            .contains("not in the signed tree of 70000 records"),
        "{e}"
    );
    let body = format!("5\n{}\n{}", db.records[5], db.head_note());
    db.put(&path, Ok(body.into_bytes()));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unverified);
    assert!(e.to_string().contains("is about something else"), "{e}");
}

#[test]
fn bad_heads_are_refused_before_anything_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(TestDb::new(records(1_000, None)));
    let path = lookup_path(MODULE, VERSION).unwrap();
    let rec = format!("{AT}\n{}\n", toolchain_record(ZIP_H1));
    // Signed by another key under the same name.
    let other = TestSigner::new("sum.test", 10);
    let note = other.sign(&db.tree(1_000).to_note_text());
    db.put(&path, Ok(format!("{rec}{note}").into_bytes()));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownKey, "{e}");
    assert!(e.to_string().starts_with("the tree head from https://sum.test/lookup/golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64: the note is not signed by the trusted key sum.test+"), "{e}");
    // A signature that does not verify.
    let mut note = db.head_note();
    let at = note.rfind(' ').unwrap() + 20;
    let c = if &note[at..at + 1] == "A" { "B" } else { "A" };
    note.replace_range(at..at + 1, c);
    db.put(&path, Ok(format!("{rec}{note}").into_bytes()));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
    // Not a tree head.
    let note = db.signer.sign("go.sum database tree\nxyz\n");
    db.put(&path, Ok(format!("{rec}{note}").into_bytes()));
    let e = client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
    assert!(!tmp.path().join("latest").exists());
}

#[test]
fn a_missing_record_and_a_failing_database_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(TestDb::new(records(1_000, None)));
    let c = client(&db, tmp.path());
    let e = c.lookup(MODULE, "v0.0.1-go1.99.0.linux-amd64").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.to_string(),
        "checksum database sum.test: looking up golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64: GET https://sum.test/lookup/golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64: 404 Not Found: not found"
    );
    db.put(
        "tile/8/0/003.p/232",
        Err(FetchError::Failed("connection reset".into())),
    );
    let e = c.lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Fetch, "{e}");
    assert!(
        e.to_string()
            .ends_with("GET https://sum.test/tile/8/0/003.p/232: connection reset"),
        "{e}"
    );
    assert!(c.lookup("golang.org/../x", VERSION).is_err());
    assert!(c.lookup(MODULE, "v1/../../x").is_err());
}

#[test]
fn authenticated_full_tiles_are_cached_and_a_bad_cache_is_bypassed() {
    let tmp = tempfile::tempdir().unwrap();
    let (state, cache) = (tmp.path().join("state"), tmp.path().join("tiles"));
    let db = Arc::new(TestDb::new(records(70_000, None)));
    let c = client(&db, &state).with_tile_cache(&cache);
    c.lookup(MODULE, VERSION).unwrap();
    assert!(cache.join("tile/8/0/001").is_file());
    assert!(cache.join("tile/8/1/000").is_file());
    assert!(
        !cache.join("tile/8/2").exists(),
        "partial tiles are not cached"
    );
    db.log.lock().unwrap().clear();
    c.lookup(MODULE, VERSION).unwrap();
    let reqs = db.requests();
    assert!(
        !reqs
            .iter()
            .any(|r| r == "tile/8/0/001" || r == "tile/8/1/000"),
        "{reqs:?}"
    );
    // A corrupted cache entry is not trusted: the tile is fetched again.
    fs::write(cache.join("tile/8/0/001"), vec![7u8; 8192]).unwrap();
    db.log.lock().unwrap().clear();
    c.lookup(MODULE, VERSION).unwrap();
    assert!(db.requests().iter().any(|r| r == "tile/8/0/001"));
    assert_eq!(
        fs::read(cache.join("tile/8/0/001")).unwrap(),
        db.tile_data(&Tile {
            height: 8,
            level: 0,
            index: 1,
            width: 256
        })
        .unwrap()
    );
}

#[test]
fn a_partial_tile_the_database_dropped_is_read_from_the_full_tile() {
    let tmp = tempfile::tempdir().unwrap();
    let mut db = TestDb::new(records(70_400, None));
    db.head = 70_000;
    let db = Arc::new(db);
    db.put(
        "tile/8/0/273.p/112",
        Err(FetchError::NotFound("410 Gone".into())),
    );
    client(&db, tmp.path()).lookup(MODULE, VERSION).unwrap();
    assert!(db.requests().iter().any(|r| r == "tile/8/0/273"));
}

#[test]
fn an_altered_stored_head_is_refused_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(TestDb::new(records(1_000, None)));
    let c = client(&db, tmp.path());
    c.lookup(MODULE, VERSION).unwrap();
    let other = TestSigner::new("sum.test", 11);
    fs::write(c.latest_file(), other.sign(&db.tree(1_000).to_note_text())).unwrap();
    let e = c.lookup(MODULE, VERSION).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownKey);
    assert!(
        e.to_string()
            .contains(&c.latest_file().display().to_string()),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("remove it"), "{e:?}");
}

#[test]
fn refresh_reads_latest_and_keeps_the_newer() {
    let tmp = tempfile::tempdir().unwrap();
    let db = Arc::new(TestDb::new(records(2_000, None)));
    let c = client(&db, tmp.path());
    assert_eq!(c.refresh().unwrap(), db.tree(2_000));
    assert_eq!(stored_size(tmp.path()), 2_000);
    assert!(c.stored().unwrap().is_some());
}

#[test]
fn module_paths_and_versions_are_escaped_and_checked() {
    assert_eq!(
        lookup_path("github.com/BurntSushi/toml", "v1.0.0").unwrap(),
        "lookup/github.com/!burnt!sushi/toml@v1.0.0"
    );
    for (m, v) in [
        ("", "v1"),
        ("a/b", ""),
        ("/a", "v1"),
        ("a//b", "v1"),
        ("a/./b", "v1"),
        ("a/b?x", "v1"),
        ("a/b", "v1/x"),
        ("a b", "v1"),
        ("a/b", "v1%2f"),
    ] {
        assert!(lookup_path(m, v).is_err(), "{m}@{v}");
    }
}

#[test]
fn concurrent_lookups_keep_the_newest_head() {
    let tmp = tempfile::tempdir().unwrap();
    let all = records(3_000, None);
    let dbs: Vec<Arc<TestDb>> = (0..6)
        .map(|i| {
            let mut db = TestDb::new(all.clone());
            db.head = 1_000 + 400 * i;
            Arc::new(db)
        })
        .collect();
    std::thread::scope(|s| {
        for db in &dbs {
            let state = tmp.path();
            s.spawn(move || {
                for _ in 0..3 {
                    client(db, state).lookup(MODULE, VERSION).unwrap();
                }
            });
        }
    });
    assert_eq!(stored_size(tmp.path()), 3_000);
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "latest" && n != "latest.lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
