//! Loopback imitations of the sites gover's download presets name, each
//! with the layout the real one has (as far as can be known without
//! reaching them from here):
//!
//! - go.dev: the release index at `/dl/?mode=json&include=all`, an HTML
//!   downloads page at `/dl/`;
//! - dl.google.com: the archives at `/go/<file>`;
//! - golang.google.cn: the same index and page under `/dl/`, and
//!   `/dl/<file>` answering `302 Found` to dl.google.com's `/go/<file>`;
//! - mirrors.aliyun.com and mirrors.ustc.edu.cn: the archives flat in
//!   `/golang/`, with an HTML directory listing (each in its own style) at
//!   `/golang/` and no index.
//!
//! [`Sites::origins`] is the `GOVER_PRESET_ORIGINS` value that points the
//! presets at them; [`nowhere`] (every test command's default) points every
//! real site at a closed loopback port, so that no test reaches the real
//! ones.
//!
//! (`crate::support::presets` in the end-to-end test binary.)

#![allow(dead_code, unreachable_pub)]

use std::sync::Mutex;

use crate::support::mirror::{host_platform, sha256_hex, Fault, Mirror};

/// The real origins the presets (and gover's defaults) point at.
pub const REAL_ORIGINS: [&str; 5] = [
    "https://go.dev",
    "https://dl.google.com",
    "https://golang.google.cn",
    "https://mirrors.aliyun.com",
    "https://mirrors.ustc.edu.cn",
];

/// The path of the index on go.dev and golang.google.cn.
pub const INDEX_PATH: &str = "dl/?mode=json&include=all";

/// The imitations, one loopback server each.
pub struct Sites {
    /// go.dev: the index and the downloads page.
    pub go_dev: Mirror,
    /// dl.google.com: the archives under `/go/`.
    pub dl: Mirror,
    /// golang.google.cn: the index, the page, redirects for the archives.
    pub cn: Mirror,
    /// mirrors.aliyun.com: archives and a listing under `/golang/`.
    pub aliyun: Mirror,
    /// mirrors.ustc.edu.cn: archives and a listing under `/golang/`.
    pub ustc: Mirror,
    /// `(version, file name, sha256, size)` of everything published, newest first.
    published: Mutex<Vec<(String, String, String, usize)>>,
    /// `(file name, size)` of what aliyun and ustc hold, for their listings.
    copied: Mutex<Vec<(String, usize)>>,
}

/// An origin nobody listens on: the discard port, which no test server
/// can take (it is below 1024) and nothing serves here; `https://`, as
/// the origins it stands for are (an `http://` default index would make
/// `gover doctor` warn).
pub const CLOSED_ORIGIN: &str = "https://127.0.0.1:9";

/// `GOVER_PRESET_ORIGINS` pointing every real site at [`CLOSED_ORIGIN`]:
/// a command that asks the presets (`gover doctor --network`) or the
/// defaults never leaves the machine. Every [`TestEnv`] command has it
/// unless a test sets the variable itself.
///
/// [`TestEnv`]: crate::support::TestEnv
pub fn nowhere() -> String {
    REAL_ORIGINS
        .iter()
        .map(|o| format!("{o}={CLOSED_ORIGIN}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Sites {
    /// Starts the five servers with nothing published.
    pub fn start() -> Self {
        let s = Self {
            go_dev: Mirror::start(),
            dl: Mirror::start(),
            cn: Mirror::start(),
            aliyun: Mirror::start(),
            ustc: Mirror::start(),
            published: Mutex::new(Vec::new()),
            copied: Mutex::new(Vec::new()),
        };
        s.refresh();
        s
    }

    /// The `GOVER_PRESET_ORIGINS` value that points every preset (and the
    /// defaults) at these servers.
    pub fn origins(&self) -> String {
        let to = |m: &Mirror| format!("http://{}", m.addr());
        [
            (REAL_ORIGINS[0], to(&self.go_dev)),
            (REAL_ORIGINS[1], to(&self.dl)),
            (REAL_ORIGINS[2], to(&self.cn)),
            (REAL_ORIGINS[3], to(&self.aliyun)),
            (REAL_ORIGINS[4], to(&self.ustc)),
        ]
        .iter()
        .map(|(from, to)| format!("{from}={to}"))
        .collect::<Vec<_>>()
        .join(",")
    }

    /// Publishes `archive` as `version`'s for this machine: listed in both
    /// indexes with its sha256, on dl.google.com (and so through
    /// golang.google.cn's redirect) and, when `on_mirrors`, on aliyun and
    /// ustc, whose listings show it. Returns the file name.
    pub fn publish(&self, version: &str, archive: &[u8], on_mirrors: bool) -> String {
        let (os, arch) = host_platform();
        let file = format!("go{version}.{os}-{arch}.tar.gz");
        self.dl.put(&format!("go/{file}"), archive.to_vec());
        self.cn.fault(
            &format!("dl/{file}"),
            Fault::Redirect(format!("{}go/{file}", self.dl.url())),
            None,
        );
        if on_mirrors {
            self.copy_to_mirrors(&file, archive);
        }
        self.published.lock().unwrap().insert(
            0,
            (
                version.to_string(),
                file.clone(),
                sha256_hex(archive),
                archive.len(),
            ),
        );
        self.refresh();
        file
    }

    /// Puts `bytes` as `file` on aliyun and ustc (a late copy, or another
    /// file under the same name) and lists it there.
    pub fn copy_to_mirrors(&self, file: &str, bytes: &[u8]) {
        for m in [&self.aliyun, &self.ustc] {
            m.put(&format!("golang/{file}"), bytes.to_vec());
        }
        let mut copied = self.copied.lock().unwrap();
        copied.retain(|(f, _)| f != file);
        copied.push((file.to_string(), bytes.len()));
        drop(copied);
        self.refresh();
    }

    /// Lists `name` on aliyun's and ustc's listing pages without serving
    /// anything under it (a listing can name anything).
    pub fn list_only(&self, name: &str) {
        self.copied.lock().unwrap().push((name.to_string(), 0));
        self.refresh();
    }

    /// The requests each imitation got, as `(site, method, path)`; the
    /// path keeps no query.
    pub fn requests(&self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        for (site, m) in self.each() {
            for r in m.requests() {
                out.push((site, r.method, r.path));
            }
        }
        out
    }

    /// Each imitation, with the name of the site it imitates.
    pub fn each(&self) -> [(&'static str, &Mirror); 5] {
        [
            ("go.dev", &self.go_dev),
            ("dl.google.com", &self.dl),
            ("golang.google.cn", &self.cn),
            ("mirrors.aliyun.com", &self.aliyun),
            ("mirrors.ustc.edu.cn", &self.ustc),
        ]
    }

    /// Rewrites the indexes, the downloads pages and the listings.
    fn refresh(&self) {
        let published = self.published.lock().unwrap().clone();
        let index = index_json(&published).into_bytes();
        let page = downloads_page(&published).into_bytes();
        for m in [&self.go_dev, &self.cn] {
            m.put(INDEX_PATH, index.clone());
            m.put("dl/", page.clone());
        }
        let copied = self.copied.lock().unwrap().clone();
        self.aliyun
            .put("golang/", nginx_listing(&copied).into_bytes());
        self.ustc
            .put("golang/", table_listing(&copied).into_bytes());
    }
}

/// go.dev's index format.
fn index_json(published: &[(String, String, String, usize)]) -> String {
    let (os, arch) = host_platform();
    let releases: Vec<serde_json::Value> = published
        .iter()
        .map(|(v, f, sha, n)| {
            serde_json::json!({
                "version": format!("go{v}"), "stable": true,
                "files": [{"filename": f, "os": os, "arch": arch, "version": format!("go{v}"),
                           "sha256": sha, "size": n, "kind": "archive"}],
            })
        })
        .collect();
    serde_json::to_string_pretty(&releases).unwrap()
}

/// An HTML downloads page like go.dev/dl/.
fn downloads_page(published: &[(String, String, String, usize)]) -> String {
    let rows: String = published
        .iter()
        .map(|(_, f, sha, _)| {
            format!("<tr><td class=\"filename\"><a class=\"download\" href=\"/dl/{f}\">{f}</a></td><td><tt>{sha}</tt></td></tr>\n")
        })
        .collect();
    format!("<!DOCTYPE html>\n<html lang=\"en\"><head><title>All releases - The Go Programming Language</title></head>\n<body><h1>Downloads</h1><table class=\"downloadtable\">\n{rows}</table></body></html>\n")
}

/// An nginx `autoindex` listing of `/golang/`.
fn nginx_listing(files: &[(String, usize)]) -> String {
    let rows: String = files
        .iter()
        .map(|(f, n)| {
            format!(
                "<a href=\"{f}\">{f}</a>{:pad$}03-Dec-2024 18:22 {n:>19}\n",
                "",
                pad = 51usize.saturating_sub(f.len())
            )
        })
        .collect();
    format!("<html>\n<head><title>Index of /golang/</title></head>\n<body>\n<h1>Index of /golang/</h1><hr><pre><a href=\"../\">../</a>\n{rows}</pre><hr></body>\n</html>\n")
}

/// A table-style listing of `/golang/` (fancyindex).
fn table_listing(files: &[(String, usize)]) -> String {
    let rows: String = files
        .iter()
        .map(|(f, n)| format!("<tr><td class=\"link\"><a href=\"{f}\" title=\"{f}\">{f}</a></td><td class=\"size\">{n}</td><td class=\"date\">2024-Dec-03 18:22</td></tr>\n"))
        .collect();
    format!("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of /golang/</title></head>\n<body><h1>Index of /golang/</h1>\n<table id=\"list\"><thead><tr><th>File Name</th><th>File Size</th><th>Date</th></tr></thead>\n<tbody><tr><td class=\"link\"><a href=\"../\">Parent directory/</a></td><td class=\"size\">-</td><td class=\"date\">-</td></tr>\n{rows}</tbody></table></body></html>\n")
}
