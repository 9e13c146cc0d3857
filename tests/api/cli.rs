//! The server binary itself: subcommands and start-up validation.

use std::process::Stdio;

use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::helpers::{
    PASSWORD, TestDatabase, backend, cookie_client, fresh_database, login_with, spawn_app,
    spawn_app_on,
};

/// The binary with a clean environment, run from an empty folder so no `.env` is picked up.
pub fn binary(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_octavia-billing"));
    command.env_clear().current_dir(dir).env("RUST_LOG", "warn");
    command
}

async fn add_admin(
    database: &TestDatabase,
    institution: &str,
    email: &str,
    stdin: &str,
) -> std::process::Output {
    add_admin_with(database, institution, email, stdin, &[]).await
}

/// `add-admin` with `extra` arguments (`--move`).
async fn add_admin_with(
    database: &TestDatabase,
    institution: &str,
    email: &str,
    stdin: &str,
    extra: &[&str],
) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = binary(dir.path())
        .env("DATABASE_URL", &database.url)
        .args(["add-admin", "--institution", institution, "--email", email])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .await
        .unwrap();
    child.wait_with_output().await.unwrap()
}

fn assert_succeeded(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A database whose one admin, ops@lakeside.edu of Lakeside University, has the password
/// "first password 123", made by `add-admin`.
async fn database_with_lakeside_admin() -> TestDatabase {
    let database = fresh_database(backend()).await;
    let first = add_admin(
        &database,
        "Lakeside University",
        "ops@lakeside.edu",
        "first password 123\n",
    )
    .await;
    assert_succeeded(&first);
    database
}

#[tokio::test]
async fn add_admin_reads_the_password_from_stdin_and_updates_an_existing_email() {
    let database = database_with_lakeside_admin().await;
    let second = add_admin(
        &database,
        "Lakeside University",
        "OPS@lakeside.edu",
        "second password 456\n",
    )
    .await;
    assert_succeeded(&second);

    let app = spawn_app_on(database).await;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM admin_users WHERE email = 'ops@lakeside.edu'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(count, 1, "an existing email is updated, not duplicated");
    assert_eq!(
        app.login("ops@lakeside.edu", "first password 123")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let me = app.login("ops@lakeside.edu", "second password 456").await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["institution"]["name"], "Lakeside University");
}

#[tokio::test]
async fn changing_a_password_with_add_admin_ends_that_admins_sessions_and_no_others() {
    let app = spawn_app().await;
    app.add_admin("Lakeside University", "ops@lakeside.edu")
        .await;
    app.add_admin("Lakeside University", "bursar@lakeside.edu")
        .await;
    let login_url = app.url("/api/auth/login");
    let (laptop, phone, colleague) = (cookie_client(), cookie_client(), cookie_client());
    for (browser, email) in [
        (&laptop, "ops@lakeside.edu"),
        (&phone, "ops@lakeside.edu"),
        (&colleague, "bursar@lakeside.edu"),
    ] {
        let login = login_with(browser, login_url.clone(), email, PASSWORD).await;
        assert_eq!(login.status(), StatusCode::OK);
    }

    let changed = add_admin(
        &app.database,
        "Lakeside University",
        "ops@lakeside.edu",
        "a brand new password 789\n",
    )
    .await;
    assert_succeeded(&changed);

    let me = |browser: &reqwest::Client| browser.get(app.url("/api/me")).send();
    assert_eq!(
        me(&laptop).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me(&phone).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&colleague).await.unwrap().status(),
        StatusCode::OK,
        "another admin's session is not touched"
    );
    let again = login_with(
        &laptop,
        login_url,
        "ops@lakeside.edu",
        "a brand new password 789",
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn add_admin_moves_an_admin_to_another_institution_only_with_move() {
    let database = database_with_lakeside_admin().await;

    let refused = add_admin(
        &database,
        "Hillcrest College",
        "ops@lakeside.edu",
        "second password 456\n",
    )
    .await;
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("Lakeside University") && stderr.contains("--move"),
        "{stderr}"
    );

    let app = spawn_app_on(TestDatabase::shared(&database)).await;
    let institutions: Vec<String> = sqlx::query_scalar("SELECT name FROM institutions")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(institutions, ["Lakeside University"], "nothing was written");
    let unchanged = app.login("ops@lakeside.edu", "first password 123").await;
    assert_eq!(
        unchanged.status(),
        StatusCode::OK,
        "the password is unchanged too"
    );

    let moved = add_admin_with(
        &database,
        "Hillcrest College",
        "ops@lakeside.edu",
        "second password 456\n",
        &["--move"],
    )
    .await;
    assert_succeeded(&moved);
    let me = app.login("ops@lakeside.edu", "second password 456").await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["institution"]["name"], "Hillcrest College");
}

#[tokio::test]
async fn add_admin_refuses_a_short_password_and_writes_nothing() {
    let database = fresh_database(backend()).await;
    let output = add_admin(
        &database,
        "Lakeside University",
        "ops@lakeside.edu",
        "short\n",
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));

    let app = spawn_app_on(database).await;
    assert_eq!(
        app.login("ops@lakeside.edu", "short").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn start_up_with_a_malformed_variable_fails_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path())
        .env("PRICE_PER_SESSION_ANNUAL", "19.99")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got {stderr:?}");
    assert!(lines[0].contains("PRICE_PER_SESSION_ANNUAL"), "{stderr}");
    assert!(
        lines[0].contains("1999"),
        "the line should say how to fix it: {stderr}"
    );
}

/// Starts the server with no Stripe keys and `vars`; it must refuse with the one line that
/// names STRIPE_SECRET_KEY, having written nothing.
async fn assert_offline_refused(vars: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = binary(dir.path());
    command.envs(vars.iter().copied());
    let output = command.output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{vars:?}: {stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: configuration error: STRIPE_SECRET_KEY is missing; offline test mode runs only on a local SQLite database (set the keys, or OFFLINE_TEST_MODE=1 to run the emulator anyway)",
        "{vars:?}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "{vars:?}: nothing written before refusing (no data/ folder)"
    );
}

#[tokio::test]
async fn without_keys_a_server_that_is_not_local_refuses_to_start() {
    // Refused before any connection is tried: nothing listens on port 1.
    assert_offline_refused(&[("DATABASE_URL", "postgres://billing@127.0.0.1:1/billing")]).await;
    assert_offline_refused(&[("LEPTOS_SITE_ADDR", "0.0.0.0:0")]).await;
    assert_offline_refused(&[
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("PUBLIC_URL", "https://billing.example.edu"),
    ])
    .await;
}

#[tokio::test]
async fn listening_beyond_loopback_without_a_public_url_refuses_to_start_with_one_line() {
    let database = fresh_database(backend()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = binary(dir.path());
    command
        .env("DATABASE_URL", &database.url)
        .env("LEPTOS_SITE_ADDR", "0.0.0.0:0")
        // Real keys, so that offline mode's own refusal does not answer first.
        .env("STRIPE_SECRET_KEY", "sk_test_exposed")
        .env("STRIPE_PUBLISHABLE_KEY", "pk_test_exposed")
        .env("STRIPE_WEBHOOK_SECRET", "whsec_exposed")
        .kill_on_drop(true);
    let output = tokio::time::timeout(std::time::Duration::from_secs(30), command.output())
        .await
        .expect("the server refused to start instead of serving")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("error: configuration error: PUBLIC_URL is missing"),
        "{stderr}"
    );
}

#[tokio::test]
async fn listening_beyond_loopback_with_a_public_url_serves() {
    let mut vars = crate::helpers::HTTPS_PUBLIC_URL.to_vec();
    vars.push(("LEPTOS_SITE_ADDR", "0.0.0.0:0"));
    let app = crate::helpers::spawn_app_configured(&vars).await;
    let me = cookie_client()
        .get(format!("http://127.0.0.1:{}/api/me", app.address.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_embedded_default_is_a_sqlite_file_under_data_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path()).arg("migrate").output().await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let file = dir.path().join("data/octavia-billing.db");
    assert!(file.exists(), "no database file at {}", file.display());

    sqlx::any::install_default_drivers();
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn log_format_json_writes_one_json_object_a_line_with_the_request_id() {
    use tokio::io::AsyncBufReadExt;

    let database = fresh_database(backend()).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "info,tower_http=debug"),
    ];
    let mut server = offline_server(&database, dir.path(), &env);
    let mut stderr = tokio::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let listening = read_until(&mut stderr, |l| l.contains("listening on http://")).await;
    let line: serde_json::Value = serde_json::from_str(&listening).expect("a JSON line");
    let address = line["fields"]["addr"]
        .as_str()
        .expect("the address field")
        .to_owned();

    let response = reqwest::Client::new()
        .get(format!("http://{address}/healthz"))
        .header("x-request-id", "probe-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let logged = read_until(&mut stderr, |l| l.contains("probe-42")).await;
    let logged: serde_json::Value = serde_json::from_str(&logged).expect("a JSON line");
    assert_eq!(logged["span"]["request_id"], "probe-42", "{logged}");
    assert_eq!(logged["span"]["path"], "/healthz", "{logged}");
}

/// The server binary in offline test mode on a free port over `database`, with `env` on top:
/// stdout and stderr piped, killed when dropped.
pub fn offline_server(
    database: &TestDatabase,
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> tokio::process::Child {
    binary(dir)
        .env("DATABASE_URL", &database.url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("OFFLINE_TEST_MODE", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// The address a server writes to its log as it starts to listen.
pub async fn listening_address<R: tokio::io::AsyncBufRead + Unpin>(
    stderr: &mut tokio::io::Lines<R>,
) -> String {
    let line = read_until(stderr, |l| l.contains("listening on http://")).await;
    let address = line.split("http://").nth(1).unwrap();
    address.split_whitespace().next().unwrap().to_owned()
}

/// Reads the child's output line by line until `want` matches, returning that line.
pub async fn read_until<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut tokio::io::Lines<R>,
    want: impl Fn(&str) -> bool,
) -> String {
    let deadline = std::time::Duration::from_secs(30);
    tokio::time::timeout(deadline, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if want(&line) {
                return line;
            }
        }
        panic!("output ended before the expected line");
    })
    .await
    .expect("the expected line within 30 s")
}

#[tokio::test]
async fn offline_mode_on_an_empty_database_prints_a_demo_sign_in_that_works_once() {
    use tokio::io::AsyncBufReadExt;

    let database = fresh_database(backend()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = offline_server(&database, dir.path(), &[("RUST_LOG", "info")]);
    let mut stdout = tokio::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let mut stderr = tokio::io::BufReader::new(server.stderr.take().unwrap()).lines();

    let email = read_until(&mut stdout, |l| l.trim_start().starts_with("email:")).await;
    let password = read_until(&mut stdout, |l| l.trim_start().starts_with("password:")).await;
    let address = listening_address(&mut stderr).await;
    let email = email.split_whitespace().last().unwrap().to_owned();
    let password = password.split_whitespace().last().unwrap().to_owned();

    let login = crate::helpers::cookie_client()
        .post(format!("http://{address}/api/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let me: serde_json::Value = login.json().await.unwrap();
    assert_eq!(me["institution"]["name"], "Demo University");
    server.kill().await.unwrap();

    // A second start on the same database makes no second demo account.
    let app = spawn_app_on(database).await;
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admin_users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(admins, 1);
}
