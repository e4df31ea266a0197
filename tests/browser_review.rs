//! The review page in a real browser (headless Chromium over CDP): on the bundled User.com
//! sample, a value-map entry is changed through the page with the keyboard, the mapping is
//! confirmed with the page's button, and the TOML on disk is checked: the edit landed, every
//! comment is still there, the stamp is valid, the same edit made by hand gets the same
//! stamp from `map --confirm`, and `run` accepts the mapping.
//!
//! Skips, saying so, only when no Chromium can be found (`.ci/run` installs Debian's).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crm_migrate::transform::mapping::MappingSpec;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

fn chromium() -> Option<PathBuf> {
    match headless_chrome::browser::default_executable() {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!(
                "SKIPPED browser test: no Chromium found ({e}); install Debian's `chromium` (`.ci/run` does) or set CHROME"
            );
            None
        }
    }
}

fn browser(path: PathBuf) -> Browser {
    Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(path),
        window_size: Some((1280, 2000)),
        idle_browser_timeout: Duration::from_secs(120),
        ..LaunchOptions::default()
    })
    .expect("start headless Chromium")
}

/// Where screenshots go: `target/screenshots/`.
fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shoot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    let path = screenshots().join(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crm-migrate"))
        .args(args)
        .output()
        .expect("run crm-migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The review server; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(mapping: &Path, input: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crm-migrate"))
        .args(["review", "--mapping"])
        .arg(mapping)
        .args(["--from", "usercom", "--input"])
        .arg(input)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start crm-migrate review");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // Keep reading what it prints, so its stdout never closes under it.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = line
        .trim()
        .strip_prefix("Review page: ")
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (server, url)
}

/// Polls `f` for up to 15 s.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| (l, i)))
        .filter(|(l, _)| l.trim_start().starts_with('#') || l.contains(" # "))
        .map(|(l, i)| l[i..].to_string())
        .collect()
}

/// A value-map entry whose line is unique in the file, and another option of the same map.
fn pick_entry(spec: &MappingSpec, text: &str) -> (usize, String, String, String, String) {
    for (oi, o) in spec.objects.iter().enumerate() {
        for (map, entries) in &o.value_maps {
            for (from, to) in entries {
                let line = format!("\"{from}\" = \"{to}\"");
                let other = entries.values().find(|v| *v != to && !v.is_empty());
                if let (1, Some(other)) = (text.matches(&line).count(), other) {
                    return (oi, map.clone(), from.clone(), to.clone(), other.clone());
                }
            }
        }
    }
    panic!("the sample's mapping has no value map with two options");
}

#[test]
fn review_page_edits_and_confirms_the_mapping() {
    let Some(chrome) = chromium() else { return };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    let page_toml = dir.path().join("mapping.toml");
    let hand_toml = dir.path().join("by-hand.toml");
    let (code, _, err) = cli(&["sample", "usercom", "--out", input.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&[
        "map",
        "--from",
        "usercom",
        "--input",
        input.to_str().unwrap(),
        "--out",
        page_toml.to_str().unwrap(),
    ]);
    // 3: proposed, with lines flagged CHECK for a person.
    assert!(code == 0 || code == 3, "{err}");

    // A person's own note on the line that will change, and one of their own at the top.
    let proposed = std::fs::read_to_string(&page_toml).unwrap();
    let spec = MappingSpec::load(&page_toml).unwrap();
    let (oi, map, from, to, new) = pick_entry(&spec, &proposed);
    let line = format!("\"{from}\" = \"{to}\"");
    let noted = format!("# Reviewer's note: read on the page.\n{}", proposed)
        .replace(&line, &format!("{line} # my note on {from}"));
    std::fs::write(&page_toml, &noted).unwrap();
    // The same edit by hand, in a copy.
    std::fs::write(
        &hand_toml,
        noted.replace(&line, &format!("\"{from}\" = \"{new}\"")),
    )
    .unwrap();
    let before_comments = comments(&noted);
    assert!(before_comments.len() > 5, "the proposal has comments");

    let (server, url) = serve(&page_toml, &input);
    let browser = browser(chrome);
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(20));
    tab.navigate_to(&url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    tab.wait_for_element("tr.vm-entry input").unwrap();
    // The page shows what it must: samples, the validation tally, schema changes, policies.
    let shown = tab
        .evaluate(
            "JSON.stringify({objects: document.querySelectorAll('section.object').length, \
             samples: document.querySelectorAll('ul.samples li').length, \
             schema: document.querySelectorAll('#schema li').length, \
             policies: document.querySelectorAll('#policies select, #policies input').length, \
             labelled: [...document.querySelectorAll('input, select')].every(e => e.labels && e.labels.length > 0)})",
            false,
        )
        .unwrap()
        .value
        .unwrap();
    let shown: serde_json::Value = serde_json::from_str(shown.as_str().unwrap()).unwrap();
    assert_eq!(shown["objects"], spec.objects.len(), "{shown}");
    assert!(shown["samples"].as_u64().unwrap() > 20, "{shown}");
    assert!(shown["schema"].as_u64().unwrap() > 0, "{shown}");
    assert!(shown["policies"].as_u64().unwrap() >= 9, "{shown}");
    assert_eq!(shown["labelled"], true, "every control has a label");

    // Change the entry with the keyboard: focus its box, type, Tab away.
    let key = format!("vm-{oi}-{map}-{from}");
    let found = tab
        .evaluate(
            &format!(
                "(() => {{ const i = [...document.querySelectorAll('input[data-key]')].find(e => e.dataset.key === {}); \
                 if (!i) return false; i.focus(); i.select(); return document.activeElement === i; }})()",
                serde_json::to_string(&key).unwrap()
            ),
            false,
        )
        .unwrap()
        .value;
    assert_eq!(found, Some(serde_json::Value::Bool(true)), "no input {key}");
    tab.type_str(&new).unwrap();
    tab.press_key("Tab").unwrap();
    eventually("the edit reaches the file", || {
        MappingSpec::load(&page_toml)
            .map(|s| s.objects[oi].value_maps[&map][&from] == new)
            .unwrap_or(false)
    });
    eventually("the page says it saved", || {
        tab.evaluate("document.getElementById('status').textContent", false)
            .ok()
            .and_then(|r| r.value)
            .is_some_and(|v| v.as_str().is_some_and(|t| t.starts_with("Saved")))
    });
    // After the refresh the page shows the new option.
    let refreshed = tab
        .evaluate(
            &format!(
                "(() => {{ const i = [...document.querySelectorAll('input[data-key]')].find(e => e.dataset.key === {}); return i.value; }})()",
                serde_json::to_string(&key).unwrap()
            ),
            false,
        )
        .unwrap()
        .value;
    assert_eq!(refreshed, Some(serde_json::Value::String(new.clone())));

    // Confirm with the button (keyboard: focus it and press Enter).
    tab.evaluate("document.getElementById('confirm').focus()", false)
        .unwrap();
    tab.press_key("Enter").unwrap();
    tab.wait_for_element("body[data-state='confirmed']")
        .unwrap();
    let command = tab
        .evaluate(
            "document.getElementById('next').hidden ? '' : document.getElementById('command').textContent",
            false,
        )
        .unwrap()
        .value
        .unwrap();
    assert!(
        command
            .as_str()
            .unwrap()
            .starts_with("crm-migrate run --from usercom"),
        "{command}"
    );
    tab.evaluate("window.scrollTo(0, 0)", false).unwrap();
    shoot(&tab, "review.png");
    drop(server);

    // On disk: the edit, every comment, a valid stamp.
    let after = std::fs::read_to_string(&page_toml).unwrap();
    assert!(
        after.contains(&format!("\"{from}\" = \"{new}\" # my note on {from}")),
        "the edited line keeps its comment"
    );
    for c in &before_comments {
        assert!(after.contains(c.as_str()), "comment lost: {c}");
    }
    let confirmed = MappingSpec::load(&page_toml).unwrap();
    confirmed
        .require_confirmed(&page_toml.display().to_string())
        .unwrap();
    // Only the value and the stamp changed.
    let stamp = confirmed.meta.confirmed.clone().unwrap();
    let expected = noted.replace(&line, &format!("\"{from}\" = \"{new}\""));
    let mut unstamped = MappingSpec::from_toml(&expected).unwrap();
    unstamped.meta.confirmed = Some(stamp.clone());
    assert_eq!(confirmed, unstamped);

    // The same edit by hand, confirmed on the command line, gets the same stamp.
    let (code, _, err) = cli(&["map", "--confirm", hand_toml.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        MappingSpec::load(&hand_toml)
            .unwrap()
            .meta
            .confirmed
            .as_deref(),
        Some(stamp.as_str())
    );

    // A run accepts it.
    let state = dir.path().join("state");
    let sandbox = format!("sandbox:{}", dir.path().join("s.sqlite").display());
    let (code, out, err) = cli(&[
        "run",
        "--from",
        "usercom",
        "--input",
        input.to_str().unwrap(),
        "--mapping",
        page_toml.to_str().unwrap(),
        "--to",
        &sandbox,
        "--state",
        state.to_str().unwrap(),
    ]);
    assert!(
        code == 0 || code == 3,
        "run refused the mapping: {out}\n{err}"
    );
    eprintln!("browser review test took {:?}", started.elapsed());
}
