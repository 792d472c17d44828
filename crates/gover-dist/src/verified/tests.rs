use super::*;

use crate::trust::NotChecked;

fn attested() -> Verdict {
    Verdict::Verified(Attestation {
        database: "sum.golang.org".into(),
        record_id: 300,
        tree_size: 66_112,
        tree_hash: "abc=".into(),
        h1: "h1:tree".into(),
    })
}

fn linux() -> Platform {
    Platform::parse("linux-amd64").unwrap()
}

#[test]
fn records_round_trip_and_say_how() {
    let t = tempfile::tempdir().unwrap();
    let home = GoverHome::new(t.path());
    let goroot = t.path().join("toolchains/go1.22.10");
    std::fs::create_dir_all(&goroot).unwrap();
    let rec = VerificationRecord::new(
        "go1.22.10",
        &linux(),
        &attested(),
        "https://u:secret@mirror.example/go1.22.10.linux-amd64.tar.gz",
        Some("aa11"),
        "golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64",
    );
    assert_eq!(rec.how(), How::Database);
    assert_eq!(
        rec.source,
        "https://mirror.example/go1.22.10.linux-amd64.tar.gz"
    );
    let file = write(&home, &rec, &goroot).unwrap();
    assert_eq!(file, t.path().join("verified/go1.22.10.linux-amd64.json"));
    assert!(!std::fs::read_to_string(&file).unwrap().contains("secret"));
    let Recorded::Current(back) = read(&home, "go1.22.10", &linux(), &goroot).unwrap() else {
        panic!("not current")
    };
    assert_eq!(back.h1, "h1:tree");
    assert!(back.goroot_id.is_some());
    assert!(
        back.summary().starts_with(
            "verified by the checksum database sum.golang.org (record 300, tree of 66112), "
        ),
        "{}",
        back.summary()
    );
    // Another toolchain, none.
    assert_eq!(
        read(&home, "go1.21.13", &linux(), &goroot).unwrap(),
        Recorded::None
    );
    // The GOROOT replaced (a reinstall): the record is an earlier one's.
    std::fs::rename(&goroot, t.path().join("old")).unwrap();
    std::fs::create_dir_all(&goroot).unwrap();
    assert!(matches!(
        read(&home, "go1.22.10", &linux(), &goroot).unwrap(),
        Recorded::Stale(_)
    ));
    remove(&home, "go1.22.10", &linux()).unwrap();
    remove(&home, "go1.22.10", &linux()).unwrap();
    assert_eq!(
        read(&home, "go1.22.10", &linux(), &goroot).unwrap(),
        Recorded::None
    );
}

#[test]
fn unchecked_installs_say_why() {
    let v = Verdict::Unchecked {
        h1: "h1:x".into(),
        why: NotChecked::Offline,
        warn: true,
    };
    let rec = VerificationRecord::new("go1.22.10", &linux(), &v, "/tmp/a.tar.gz", Some("aa"), "m");
    assert_eq!(rec.how(), How::ArchiveOnly);
    assert!(
        rec.summary()
            .starts_with("verified by the release index's sha256 only (offline (--offline or GOVER_OFFLINE=1)), "),
        "{}",
        rec.summary()
    );
    let rec = VerificationRecord::new("go1.22.10", &linux(), &v, "file:///p", None, "m");
    assert_eq!(rec.how(), How::Unverified);
    assert!(
        rec.summary().starts_with("not verified ("),
        "{}",
        rec.summary()
    );
}

#[test]
fn a_damaged_or_misplaced_record_is_an_error_naming_the_file() {
    let t = tempfile::tempdir().unwrap();
    let home = GoverHome::new(t.path());
    let dir = home.verified_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("go1.22.10.linux-amd64.json");
    std::fs::write(&file, "{not json").unwrap();
    let e = read(&home, "go1.22.10", &linux(), t.path()).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{} is not a verification record gover wrote",
            file.display()
        )),
        "{e}"
    );
    // A record of another toolchain copied under this name.
    let rec = VerificationRecord::new("go1.21.13", &linux(), &attested(), "x", None, "m");
    std::fs::write(&file, serde_json::to_vec(&rec).unwrap()).unwrap();
    let e = read(&home, "go1.22.10", &linux(), t.path()).unwrap_err();
    assert!(e.to_string().contains("it describes go1.21.13"), "{e}");
}
