use reqwest::StatusCode;

use crate::helpers::{PASSWORD, eventually, spawn_app};

#[tokio::test]
async fn billing_redirects_to_sign_in_when_signed_out() {
    let app = spawn_app().await;
    // A browser's navigation (Accept: text/html) gets a real 302; server-function clients get
    // Leptos' redirect header instead.
    let response = app.get_with("/billing", ("accept", "text/html")).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn billing_is_rendered_on_the_server_with_the_institution_name() {
    let app = spawn_app().await;
    app.add_admin("Northfield Community College", "bursar@northfield.edu")
        .await;
    app.login("bursar@northfield.edu", PASSWORD).await;
    let response = app.get("/billing").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("Northfield Community College"));
    assert!(html.contains("Session pool"));
}

#[tokio::test]
async fn purchase_page_redirects_to_sign_in_when_signed_out() {
    let app = spawn_app().await;
    let response = app
        .get_with("/billing/purchase", ("accept", "text/html"))
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn purchase_page_is_rendered_with_prices_and_explains_what_needs_javascript() {
    let app = spawn_app().await;
    app.add_admin("Northfield Community College", "bursar@northfield.edu")
        .await;
    app.login("bursar@northfield.edu", PASSWORD).await;
    let response = app.get("/billing/purchase").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    for expected in [
        "Buy interview sessions",
        "$20.00 per session · saves $5.00 per session",
        "$25.00 per session",
        "Pay $200.00",
        r#"<label for="quantity">"#,
        "Paying needs JavaScript",
    ] {
        assert!(html.contains(expected), "no {expected:?} in the page");
    }
}

#[tokio::test]
async fn purchase_page_formats_prices_for_the_accept_language_locale() {
    let app = spawn_app().await;
    app.add_admin("Northfield Community College", "bursar@northfield.edu")
        .await;
    app.login("bursar@northfield.edu", PASSWORD).await;
    let german = app
        .get_with("/billing/purchase", ("accept-language", "de-DE,de;q=0.9"))
        .await
        .text()
        .await
        .unwrap();
    // The configured currency (usd) keeps its symbol, placed and separated the German way.
    for expected in [
        r#"<html lang="de-DE""#,
        "20,00\u{a0}$ per session · saves 5,00\u{a0}$ per session",
        "25,00\u{a0}$ per session",
        "Pay 200,00\u{a0}$",
    ] {
        assert!(german.contains(expected), "no {expected:?} in the page");
    }
    let default = app.get("/billing/purchase").await.text().await.unwrap();
    assert!(default.contains(r#"<html lang="en-US""#));
    assert!(default.contains("$25.00 per session"));
}

#[tokio::test]
async fn sign_in_page_has_a_labelled_form() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<label for="email">"#));
    assert!(html.contains(r#"name="password""#));
}

#[tokio::test]
async fn sign_in_page_loads_no_wasm_and_billing_loads_its_islands() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let login = app.page_markup("/login").await;
    assert!(login.contains(r#"action="/rpc/login""#), "{login}");
    assert!(
        !login.contains(".wasm") && !login.contains("<leptos-island"),
        "{login}"
    );

    app.login("dean@state.edu", PASSWORD).await;
    let billing = app.page_markup("/billing").await;
    assert!(billing.contains(".wasm"), "{billing}");
    assert!(
        billing.contains(r#"<leptos-island data-component="PurchaseHistory"#),
        "{billing}"
    );
}

/// What a browser does with the sign-in page, which loads no wasm: a form post that accepts
/// HTML, answered with a redirect to billing, or back to the page, which then shows the error.
#[tokio::test]
async fn a_posted_sign_in_form_leads_to_billing_or_back_to_the_error() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let post = |password: &'static str| {
        app.client
            .post(app.url("/rpc/login"))
            .header("accept", "text/html")
            .header("referer", app.url("/login"))
            .form(&[("email", "dean@state.edu"), ("password", password)])
            .send()
    };

    let refused = post("not the password").await.unwrap();
    assert!(refused.status().is_redirection(), "{}", refused.status());
    let back = refused.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&app.url("/login?")), "{back}");
    let page = app.page_markup(back.trim_start_matches(&app.url(""))).await;
    assert!(
        page.contains("The email or password is incorrect."),
        "{page}"
    );
    assert_eq!(app.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);

    let accepted = post(PASSWORD).await.unwrap();
    assert!(accepted.status().is_redirection(), "{}", accepted.status());
    assert_eq!(accepted.headers()["location"], "/billing");
    assert_eq!(app.get("/api/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn offline_mode_shows_a_banner_on_every_page() {
    let app = spawn_app().await;
    for path in ["/login", "/no-such-page"] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(html.contains("Offline test mode"), "{path} has no banner");
    }
}

#[tokio::test]
async fn unknown_pages_get_a_real_404() {
    let app = spawn_app().await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn sign_in_page_sends_a_signed_in_admin_to_billing() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    app.login("dean@state.edu", PASSWORD).await;
    let response = app.get_with("/login", ("accept", "text/html")).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/billing");
}

#[tokio::test]
async fn pages_are_gzip_compressed_for_browsers_that_accept_it() {
    let app = spawn_app().await;
    let response = app.get_with("/login", ("accept-encoding", "gzip")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn billing_page_history_shows_what_was_refunded() {
    use crate::purchases::{paid_purchase, refund_in_stripe, signed_in_app, wait_for_status};

    let app = signed_in_app().await;
    let purchase =
        paid_purchase(&app, &serde_json::json!({"quantity": 10, "plan": "annual"})).await;
    refund_in_stripe(&app, &purchase, 5_000).await;
    wait_for_status(&app, &purchase, "partially_refunded").await;

    let html = app.page_markup("/billing").await;
    let history = &html[html.find(r#"data-testid="purchase-history""#).unwrap()..];
    assert!(history.contains("$50.00 refunded"), "{history}");
    assert!(
        history
            .contains(r#"<span class="badge badge-partially_refunded">Partially refunded</span>"#)
    );
}

#[tokio::test]
async fn billing_page_history_says_a_refund_failed_and_what_came_back() {
    use crate::purchases::{buy, confirm, refund_in_stripe, signed_in_app, wait_for_status};

    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    assert_eq!(
        confirm(&app, &purchase, "pm_card_refundFail")
            .await
            .status(),
        200
    );
    wait_for_status(&app, &purchase, "completed").await;
    refund_in_stripe(&app, &purchase, 4_000).await;
    app.settle().await;

    let html = app.page_markup("/billing").await;
    let history = &html[html.find(r#"data-testid="purchase-history""#).unwrap()..];
    assert!(
        history.contains("A refund of $40.00 failed; that money and its sessions came back"),
        "{history}"
    );
    assert!(history.contains(r#"<span class="badge badge-completed">Completed</span>"#));
}

#[tokio::test]
async fn billing_page_shows_pool_prices_history_invoices_and_cards() {
    use crate::purchases::{buy, confirm, signed_in_app, wait_for_status};

    let app = signed_in_app().await;
    let paid = buy(&app, 10).await;
    assert_eq!(confirm(&app, &paid, "pm_card_visa").await.status(), 200);
    wait_for_status(&app, &paid, "completed").await;
    let declined = buy(&app, 3).await;
    confirm(&app, &declined, "pm_card_chargeDeclined").await;
    wait_for_status(&app, &declined, "failed").await;

    // The invoice is issued after the payment is recorded, in the background.
    let invoice = eventually("the invoice to be issued and paid", async || {
        let list: serde_json::Value = app.get("/api/stripe/invoices").await.json().await.unwrap();
        if list["data"][0]["status"] == "paid" {
            Ok(list["data"][0].clone())
        } else {
            Err(list)
        }
    })
    .await;
    let number = invoice["number"]
        .as_str()
        .expect("a paid invoice has a number");

    let html = app.page_markup("/billing").await;
    assert!(html.contains(number), "the invoice {number} is not listed");
    for expected in [
        "10 sessions bought in all.",
        "$20.00 per session (saves $5.00 per session)",
        "Download the history (CSV)",
        "No saved cards or bank accounts.",
        ">View</a>",
        ">PDF</a>",
        "$200.00",
        "$60.00",
        r#"<span class="badge badge-completed">Completed</span>"#,
        r#"<span class="badge badge-failed">Failed</span>"#,
        "Your card was declined.",
    ] {
        assert!(
            html.contains(expected),
            "no {expected:?} in the billing page"
        );
    }
    // Newest first: in the history, the declined purchase of 3 comes before the paid one.
    let history = &html[html.find(r#"data-testid="purchase-history""#).unwrap()..];
    assert!(history.find("$60.00").unwrap() < history.find("$200.00").unwrap());
}

/// The panel `id` of a rendered page.
fn panel<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no panel {id}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn billing_page_charts_this_months_sessions_and_money_with_a_table_of_figures() {
    use crate::purchases::{now, paid_purchase, signed_in_app};
    use octavia_billing::domain::calendar::Month;

    let app = signed_in_app().await;
    paid_purchase(&app, &serde_json::json!({"quantity": 10, "plan": "annual"})).await;

    let html = app.page_markup("/billing").await;
    let chart = panel(&html, "monthly-chart");
    let month = Month::of_unix(now());
    let names = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let this_month = format!("{} {}", names[month.month as usize - 1], month.year);
    for expected in [
        r#"role="img""#.to_owned(),
        format!(
            r#"<desc id="monthly-chart-desc">Last 12 months: 10 sessions for $200.00. Most in {this_month}: 10 sessions.</desc>"#
        ),
        // The bar's label.
        r#"class="chart-value">10</text>"#.to_owned(),
        format!(
            r#"<tr><th scope="row">{this_month}</th><td class="number">10</td><td class="number">$200.00</td></tr>"#
        ),
    ] {
        assert!(chart.contains(&expected), "no {expected:?} in the chart");
    }
    assert!(!chart.contains("Nothing bought"));
}

#[tokio::test]
async fn billing_page_says_so_instead_of_a_chart_when_nothing_was_bought() {
    let app = crate::purchases::signed_in_app().await;
    let html = app.page_markup("/billing").await;
    let chart = panel(&html, "monthly-chart");
    assert!(chart.contains("Nothing bought in the last 12 months."));
    assert!(!chart.contains("<svg"));
}

#[tokio::test]
async fn billing_page_shows_the_activity_log_newest_first() {
    use crate::purchases::{ADMIN, buy, signed_in_app};

    let app = signed_in_app().await;
    buy(&app, 3).await;
    let html = app.page_markup("/billing").await;
    let activity = panel(&html, "activity-panel");
    let started = activity
        .find("Purchase started</strong> · 3 sessions, $60.00")
        .expect(activity);
    let signed_in = activity
        .find("Signed in</strong> · from 127.0.0.1")
        .expect(activity);
    assert!(started < signed_in, "{activity}");
    assert!(activity.contains(&format!("by {ADMIN}")), "{activity}");
    assert!(
        activity.contains(r#"href="/api/audit-log.csv""#),
        "{activity}"
    );
}

#[tokio::test]
async fn billing_page_lists_the_institutions_admins_with_their_last_sign_in() {
    use crate::purchases::{ADMIN, other_institution_admin, signed_in_app};

    let app = signed_in_app().await;
    app.add_admin("State University", "registrar@state.test")
        .await;
    other_institution_admin(&app).await;
    let html = app.page_markup("/billing").await;
    let admins = panel(&html, "admins");
    let signed_in = format!("<strong>{ADMIN}</strong>");
    assert!(admins.contains(&signed_in), "{admins}");
    assert!(admins.contains("last signed in"), "{admins}");
    assert!(
        admins.contains(
            "registrar@state.test</strong><span class=\"muted small\"> · never signed in"
        ),
        "{admins}"
    );
    assert!(!admins.contains("admin@other.test"), "{admins}");

    let api: serde_json::Value = app
        .get("/api/institution/admins")
        .await
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = api["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, [ADMIN, "registrar@state.test"]);
    assert!(api["data"][0]["last_sign_in_at"].as_i64().is_some());
    assert!(api["data"][1]["last_sign_in_at"].is_null());
}
