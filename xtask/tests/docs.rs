//! The generated derivation document: fresh (regenerating it changes no
//! committed byte) and rendered correctly by a real browser.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("project root")
}

#[test]
fn committed_docs_are_fresh() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).arg("docs").arg("--check").output().expect("run xtask");
    assert!(out.status.success(), "stale docs — run `cargo xtask docs`:\n{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn bad_docs_arguments_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(["docs", "--bogus"]).output().expect("run xtask");
    assert_eq!(out.status.code(), Some(2));
}

/// Debian's Chromium (`cargo xtask test`, the README's test command, installs
/// it when absent), or `CHROMIUM`.
fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return PathBuf::from(p);
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect(
            "no Chromium: run the tests with `cargo xtask test`, which installs Debian's `chromium`, or set CHROMIUM",
        )
}

fn headless(profile: &Path) -> Command {
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--allow-file-access-from-files",
        "--virtual-time-budget=10000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Opens `docs/derivation.html` in headless Chromium: a screenshot to look
/// at (`target/docs/derivation.png`), and — through a wrapper page that
/// measures the document in an iframe, since the document itself has no
/// scripts — every `<math>` is a MathML element with a non-zero rendered
/// size and every figure rendered with a non-zero size.
#[test]
fn derivation_html_renders_in_chromium() {
    let root = root();
    let html = root.join("docs/derivation.html");
    let out_dir = root.join("target/docs");
    std::fs::create_dir_all(&out_dir).unwrap();
    let profile = out_dir.join(format!("chromium-profile-{}", std::process::id()));
    let shot = out_dir.join("derivation.png");
    let _ = std::fs::remove_file(&shot);
    let status = headless(&profile)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2400")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(status.status.success(), "chromium: {}", String::from_utf8_lossy(&status.stderr));
    assert!(std::fs::metadata(&shot).map(|m| m.len() > 20_000).unwrap_or(false), "no screenshot");

    let wrapper = out_dir.join("measure.html");
    std::fs::write(
        &wrapper,
        format!(
            r#"<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="f" src="file://{}" style="width:1200px;height:900px"></iframe>
<script>
document.getElementById('f').addEventListener('load', () => {{
  const d = document.getElementById('f').contentDocument;
  const size = e => {{ const r = e.getBoundingClientRect(); return [r.width, r.height]; }};
  const maths = [...d.querySelectorAll('math')].map(m => [m instanceof d.defaultView.MathMLElement].concat(size(m)));
  const figures = [...d.querySelectorAll('figure')].map(f => {{
    const s = f.querySelector('svg');
    return s ? [s.childElementCount].concat(size(s)) : [0, 0, 0];
  }});
  document.getElementById('result').textContent = JSON.stringify({{ maths, figures }});
}});
</script></body></html>"#,
            html.display()
        ),
    )
    .unwrap();
    let dom = headless(&profile).arg("--dump-dom").arg(format!("file://{}", wrapper.display())).output().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let start = dom.find("<pre id=\"result\">").expect("result element") + "<pre id=\"result\">".len();
    let json = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let maths = v["maths"].as_array().expect("maths");
    let figures = v["figures"].as_array().expect("figures");
    assert!(maths.len() >= 13, "one equation per step: {}", maths.len());
    assert!(figures.len() >= 5, "five figures: {}", figures.len());
    for (i, m) in maths.iter().enumerate() {
        assert_eq!(m[0], true, "math {i} is not a MathML element");
        assert!(m[1].as_f64().unwrap() > 10.0 && m[2].as_f64().unwrap() > 5.0, "math {i} has no size: {m}");
    }
    for (i, f) in figures.iter().enumerate() {
        assert!(f[0].as_u64().unwrap() > 0, "figure {i} is empty");
        assert!(f[1].as_f64().unwrap() > 100.0 && f[2].as_f64().unwrap() > 100.0, "figure {i} has no size: {f}");
    }
}
