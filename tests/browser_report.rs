//! `report.html` in a real browser (headless Chromium over CDP, from a file:// URL, so with
//! no server and no network): after a run of the User.com sample that rejects and leaves out
//! values, the page has its charts (inline SVG) and the counts of `report.json`.
//!
//! Skips, saying so, only when no Chromium can be found (`.ci/run` installs Debian's).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions};

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

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn report_html_has_its_charts_and_counts() {
    let Some(chrome) = chromium() else { return };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (input, mapping, state) = (
        dir.path().join("export"),
        dir.path().join("mapping.toml"),
        dir.path().join("state"),
    );
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (code, _, err) = cli(&["sample", "usercom", "--out", &s(&input)]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&[
        "map",
        "--from",
        "usercom",
        "--input",
        &s(&input),
        "--out",
        &s(&mapping),
    ]);
    assert!(code == 0 || code == 3, "{err}");
    let sandbox = format!("sandbox:{}", dir.path().join("s.sqlite").display());
    let (code, out, err) = cli(&[
        "run",
        "--from",
        "usercom",
        "--input",
        &s(&input),
        "--mapping",
        &s(&mapping),
        "--to",
        &sandbox,
        "--state",
        &s(&state),
    ]);
    assert_eq!(code, 3, "the sample needs a person\n{out}{err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    let totals = &report["totals"];
    let entries = |file: &str| {
        csv::Reader::from_path(state.join(file))
            .unwrap()
            .records()
            .count()
    };
    let (rejects, review) = (entries("rejects.csv"), entries("review_queue.csv"));
    assert!(rejects > 0, "the sample's run rejects or leaves values out");

    let html = state.join("report.html");
    let browser = Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(chrome),
        window_size: Some((1280, 2000)),
        idle_browser_timeout: Duration::from_secs(120),
        ..LaunchOptions::default()
    })
    .expect("start headless Chromium");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(20));
    tab.navigate_to(&format!("file://{}", html.display()))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    tab.wait_for_element("#chart-objects").unwrap();
    let seen = tab
        .evaluate(
            r#"JSON.stringify((() => {
                const total = [...document.querySelectorAll('table')][0].querySelector('tbody tr:last-child');
                const cells = [...total.querySelectorAll('th, td')].map(c => c.textContent);
                const count = (h) => { const e = document.querySelector(h + ' .count'); return e ? e.textContent : null; };
                return {
                    charts: [...document.querySelectorAll('svg.chart')].map(s => s.id),
                    segments: document.querySelectorAll('#chart-objects rect.seg').length,
                    fileBars: document.querySelectorAll('#chart-files rect.seg').length,
                    reasonBars: document.querySelectorAll('#rejects-chart rect.reason').length,
                    reasonLinks: [...document.querySelectorAll('#rejects-chart a')].map(a => a.getAttribute('href')),
                    anchorsResolve: [...document.querySelectorAll('svg a')].every(a => document.getElementById(a.getAttribute('href').slice(1))),
                    total: cells,
                    rejects: count('#rejects h2'),
                    review: count('#review h2'),
                    scripts: document.scripts.length,
                    throughputNote: document.body.textContent.includes('no throughput over time to show'),
                };
            })())"#,
            false,
        )
        .unwrap()
        .value
        .unwrap();
    let seen: serde_json::Value = serde_json::from_str(seen.as_str().unwrap()).unwrap();
    let charts: Vec<&str> = seen["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(charts.contains(&"chart-objects"), "{seen}");
    assert!(charts.contains(&"chart-files"), "{seen}");
    assert!(charts.contains(&"rejects-chart"), "{seen}");
    assert_eq!(charts.contains(&"review-chart"), review > 0, "{seen}");
    assert!(
        seen["segments"].as_u64().unwrap() >= report["objects"].as_array().unwrap().len() as u64
    );
    assert!(seen["fileBars"].as_u64().unwrap() > 0);
    assert!(seen["reasonBars"].as_u64().unwrap() > 0);
    assert_eq!(seen["reasonLinks"][0], "#rejects-chart-0");
    assert_eq!(seen["anchorsResolve"], true, "every bar links to its table");
    // The totals row holds report.json's totals.
    let total: Vec<String> = seen["total"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(total[0], "total");
    for (i, k) in [
        "source",
        "created",
        "updated",
        "merged",
        "adopted",
        "rejected",
        "queued",
        "skipped",
        "values_dropped",
        "links_not_made",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(total[i + 1], totals[k].to_string(), "{k}: {seen}");
    }
    // The sections count every line of the CSV files.
    assert_eq!(seen["rejects"], format!("({rejects})"));
    assert_eq!(seen["review"], format!("({review})"));
    assert_eq!(seen["scripts"], 0);
    assert_eq!(seen["throughputNote"], true);

    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    let path = screenshots().join("report.png");
    std::fs::write(&path, png).unwrap();
    eprintln!(
        "screenshot: {}; browser report test took {:?}",
        path.display(),
        started.elapsed()
    );
}
