//! Pages Stripe hosts, emulated: the hosted invoice page and its PDF (the targets of an
//! invoice's `hosted_invoice_url` / `invoice_pdf`), and the 3-D Secure challenge page an
//! intent's `next_action` points at. Like Stripe's, they need no key: the unguessable id in
//! the URL is the capability.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;

use super::intents::Kind;
use super::payment_intents::PAYMENT;
use super::setup_intents::SETUP;
use super::{Caller, Ctx, StripeEmulator, credit_notes};

pub fn routes() -> Router<StripeEmulator> {
    Router::new()
        .route("/invoices/{id}", get(invoice_page))
        .route("/invoices/{id}/pdf", get(invoice_pdf))
        .route("/credit_notes/{id}/pdf", get(credit_note_pdf))
        .route("/bank_transfers/{id}", get(bank_transfer_page))
        .route("/_3ds/{id}", get(challenge_page).post(answer_challenge))
        .route(
            "/microdeposits/{id}",
            get(microdeposits_page).post(verify_microdeposits),
        )
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn money(amount: &Value, currency: &Value) -> String {
    let minor = amount.as_i64().unwrap_or_default();
    format!(
        "{}.{:02} {}",
        minor / 100,
        minor % 100,
        currency.as_str().unwrap_or_default().to_uppercase()
    )
}

fn finalized_invoice(emulator: &StripeEmulator, id: &str) -> Option<Value> {
    let invoice = emulator.lock_store().find("invoice", "invoice", id).ok()?;
    // Drafts have no hosted page on Stripe either.
    (invoice["status"] != "draft").then_some(invoice)
}

async fn invoice_page(State(emulator): State<StripeEmulator>, Path(id): Path<String>) -> Response {
    let Some(invoice) = finalized_invoice(&emulator, &id) else {
        return (StatusCode::NOT_FOUND, "No such invoice").into_response();
    };
    let lines: String = invoice["lines"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|line| {
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(line["description"].as_str().unwrap_or("Item")),
                escape(&money(&line["amount"], &line["currency"]))
            )
        })
        .collect();
    let text = |key: &str| escape(invoice[key].as_str().unwrap_or_default());
    let custom_fields: String = custom_fields(&invoice)
        .chain(tax_ids(&invoice))
        .map(|(name, value)| format!("<p>{}: {}</p>", escape(name), escape(&value)))
        .collect();
    let credit_notes: String = credit_notes::of_invoice(&emulator.lock_store(), &id)
        .iter()
        .map(|note| {
            format!(
                "<li>Credit note <a href=\"{pdf}\">{number}</a>: {amount}</li>",
                pdf = escape(note["pdf"].as_str().unwrap_or_default()),
                number = escape(note["number"].as_str().unwrap_or_default()),
                amount = escape(&money(&note["amount"], &note["currency"])),
            )
        })
        .collect();
    let credit_notes = if credit_notes.is_empty() {
        credit_notes
    } else {
        format!("<ul id=\"credit-notes\">{credit_notes}</ul>")
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Invoice {number}</title></head>\
         <body><main><h1>Invoice {number}</h1><p>Emulated Stripe hosted invoice page (offline test mode).</p>\
         <p>Billed to: {billed_to}</p>{custom_fields}<table><tbody>{lines}</tbody></table>\
         <p>Amount due: <strong id=\"amount-due\">{due}</strong></p>\
         <p>Status: <strong id=\"status\">{status}</strong></p>{credit_notes}<footer>{footer}</footer>\
         <p><a href=\"{pdf}\">Download PDF</a></p></main></body></html>",
        number = text("number"),
        billed_to = billed_to(&invoice),
        due = escape(&money(&invoice["amount_remaining"], &invoice["currency"])),
        status = text("status"),
        footer = text("footer"),
        pdf = text("invoice_pdf"),
    ))
    .into_response()
}

/// Who the invoice is for, as the customer was when it was made: name, address, email.
fn billed_to(invoice: &Value) -> String {
    billed_to_text(invoice)
        .iter()
        .map(|part| escape(part))
        .collect::<Vec<_>>()
        .join(", ")
}

fn billed_to_text(invoice: &Value) -> Vec<&str> {
    let address = &invoice["customer_address"];
    let parts = [
        &invoice["customer_name"],
        &address["line1"],
        &address["line2"],
        &address["city"],
        &address["state"],
        &address["postal_code"],
        &address["country"],
        &invoice["customer_email"],
    ];
    parts.iter().filter_map(|part| part.as_str()).collect()
}

/// The customer's tax IDs as the invoice copied them ("Tax ID: eu_vat DE123456789").
fn tax_ids(invoice: &Value) -> impl Iterator<Item = (&str, String)> {
    invoice["customer_tax_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                "Tax ID",
                format!("{} {}", t["type"].as_str()?, t["value"].as_str()?),
            ))
        })
}

/// The invoice's custom fields (a PO number, say), as Stripe prints them under its header.
fn custom_fields(invoice: &Value) -> impl Iterator<Item = (&str, String)> {
    invoice["custom_fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|field| Some((field["name"].as_str()?, field["value"].as_str()?.to_owned())))
}

async fn invoice_pdf(State(emulator): State<StripeEmulator>, Path(id): Path<String>) -> Response {
    let Some(invoice) = finalized_invoice(&emulator, &id) else {
        return (StatusCode::NOT_FOUND, "No such invoice").into_response();
    };
    let mut lines = vec![format!(
        "Invoice {}",
        invoice["number"].as_str().unwrap_or_default()
    )];
    lines.push(format!(
        "Billed to: {}",
        billed_to_text(&invoice).join(", ")
    ));
    lines.extend(
        custom_fields(&invoice)
            .chain(tax_ids(&invoice))
            .map(|(name, value)| format!("{name}: {value}")),
    );
    lines.push(format!(
        "Amount due: {}",
        money(&invoice["amount_remaining"], &invoice["currency"])
    ));
    lines.push(format!(
        "Status: {}",
        invoice["status"].as_str().unwrap_or_default()
    ));
    lines.extend(invoice["footer"].as_str().map(str::to_owned));
    (
        [(header::CONTENT_TYPE, "application/pdf")],
        minimal_pdf(&lines),
    )
        .into_response()
}

/// Stripe's hosted bank transfer instructions (`hosted_instructions_url`): where to send how
/// much, with which reference.
async fn bank_transfer_page(
    State(emulator): State<StripeEmulator>,
    Path(id): Path<String>,
) -> Response {
    let Ok(intent) = emulator
        .lock_store()
        .find("payment_intent", "payment_intent", &id)
    else {
        return (StatusCode::NOT_FOUND, "No such payment").into_response();
    };
    let shown = &intent["next_action"]["display_bank_transfer_instructions"];
    if shown.is_null() {
        let status = escape(intent["status"].as_str().unwrap_or_default());
        return Html(format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bank transfer</title></head><body><main><h1>Bank transfer</h1><p>Nothing more to send: the payment is {status}.</p></main></body></html>")).into_response();
    }
    let aba = &shown["financial_addresses"][0]["aba"];
    let text = |v: &Value| escape(v.as_str().unwrap_or_default());
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bank transfer instructions</title></head>\
         <body><main><h1>Bank transfer instructions</h1><p>Emulated Stripe page (offline test mode).</p>\
         <dl><dt>Amount</dt><dd id=\"amount\">{amount}</dd><dt>Bank</dt><dd>{bank}</dd>\
         <dt>Routing number</dt><dd id=\"routing-number\">{routing}</dd><dt>Account number</dt><dd id=\"account-number\">{account}</dd>\
         <dt>Reference</dt><dd id=\"reference\">{reference}</dd></dl></main></body></html>",
        amount = escape(&money(&shown["amount_remaining"], &shown["currency"])),
        bank = text(&aba["bank_name"]),
        routing = text(&aba["routing_number"]),
        account = text(&aba["account_number"]),
        reference = text(&shown["reference"]),
    ))
    .into_response()
}

async fn credit_note_pdf(
    State(emulator): State<StripeEmulator>,
    Path(id): Path<String>,
) -> Response {
    let Ok(note) = emulator
        .lock_store()
        .find("credit_note", "credit_note", &id)
    else {
        return (StatusCode::NOT_FOUND, "No such credit note").into_response();
    };
    let text = |key: &str| note[key].as_str().unwrap_or_default().to_owned();
    let lines = [
        format!("Credit note {}", text("number")),
        format!("Invoice: {}", text("invoice")),
        format!("Amount: {}", money(&note["amount"], &note["currency"])),
        format!("Status: {}", text("status")),
    ];
    (
        [(header::CONTENT_TYPE, "application/pdf")],
        minimal_pdf(&lines),
    )
        .into_response()
}

/// A one-page PDF showing `lines` in Helvetica: enough for a viewer, a download, a test.
fn minimal_pdf(lines: &[String]) -> Vec<u8> {
    // PDF string literals escape backslash and parentheses; the text is ASCII we made.
    let literal = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    };
    let mut content = String::from("BT /F1 14 Tf 72 720 Td 18 TL\n");
    for line in lines {
        content.push_str(&format!("({}) '\n", literal(line)));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

#[derive(Deserialize)]
struct ChallengeQuery {
    return_url: Option<String>,
}

/// The bank's 3-D Secure step, for flows that redirect instead of using Stripe.js.
async fn challenge_page(
    Path(id): Path<String>,
    Query(query): Query<ChallengeQuery>,
) -> Html<String> {
    let return_url = escape(query.return_url.as_deref().unwrap_or_default());
    let id = escape(&id);
    let button = |answer: &str, label: &str| {
        format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"answer\" value=\"{answer}\">\
             <input type=\"hidden\" name=\"return_url\" value=\"{return_url}\">\
             <button type=\"submit\">{label}</button></form>"
        )
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>3D Secure test</title></head>\
         <body><main><h1>3D Secure test payment</h1><p>Emulated issuer challenge for {id}.</p>{}{}</main></body></html>",
        button("complete", "Complete authentication"),
        button("fail", "Fail authentication"),
    ))
}

#[derive(Deserialize)]
struct ChallengeAnswer {
    answer: String,
    return_url: Option<String>,
}

async fn answer_challenge(
    State(emulator): State<StripeEmulator>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ChallengeAnswer>,
) -> Response {
    let success = form.answer == "complete";
    let ctx = Ctx {
        caller: Caller::Secret,
        request_id: super::ids::new_id("req"),
        idempotency_key: None,
    };
    // The id tells the kind: `seti_...` or `pi_...`.
    let kind: &Kind = if id.starts_with("seti_") {
        &SETUP
    } else {
        &PAYMENT
    };
    let answered = emulator.transact(&ctx, |tx| {
        let intent = tx.store.find(kind.object, kind.object, &id)?;
        kind.answer(tx, intent, success)
    });
    let kind = kind.object;
    let intent = match answered {
        Ok(intent) => intent,
        Err(e) => {
            return (e.status, Html(format!("<p>{}</p>", escape(&e.message)))).into_response();
        }
    };
    let status = if intent["status"] == "succeeded" {
        "succeeded"
    } else {
        "failed"
    };
    match form.return_url.filter(|url| !url.is_empty()) {
        // Stripe appends the intent and its client secret to the return URL.
        Some(url) => {
            let separator = if url.contains('?') { '&' } else { '?' };
            let secret = intent["client_secret"].as_str().unwrap_or_default();
            Redirect::to(&format!(
                "{url}{separator}{kind}={id}&{kind}_client_secret={secret}&redirect_status={status}"
            ))
            .into_response()
        }
        None => Html(format!("<p id=\"result\">Authentication {status}.</p>")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_xref_offsets_point_at_their_objects() {
        let pdf = String::from_utf8(minimal_pdf(&["Invoice (A)".into()])).unwrap();
        assert!(pdf.starts_with("%PDF-1.4"));
        assert!(pdf.contains("(Invoice \\(A\\)) '"));
        let xref_at: usize = pdf
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref_at..].starts_with("xref"));
        let first_offset: usize = pdf[xref_at..].lines().nth(3).unwrap()[..10]
            .parse()
            .unwrap();
        assert!(pdf[first_offset..].starts_with("1 0 obj"));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

/// Stripe's hosted page for verifying a bank account's microdeposits: the two amounts, or the
/// descriptor code of the one deposit.
async fn microdeposits_page(Path(id): Path<String>) -> Html<String> {
    Html(microdeposits_form(&escape(&id), ""))
}

fn microdeposits_form(id: &str, problem: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Verify your bank account</title></head>\
         <body><main><h1>Verify your bank account</h1><p>Payment {id}: enter the two small deposits sent to your account \
         (in cents), or the six-character code in the description of the one deposit.</p>\
         <p role=\"alert\">{problem}</p><form method=\"post\">\
         <label>First deposit (cents) <input name=\"amount_1\" inputmode=\"numeric\"></label>\
         <label>Second deposit (cents) <input name=\"amount_2\" inputmode=\"numeric\"></label>\
         <label>Descriptor code <input name=\"descriptor_code\"></label>\
         <button type=\"submit\">Verify</button></form></main></body></html>"
    )
}

#[derive(Deserialize)]
struct MicrodepositsAnswer {
    #[serde(default)]
    amount_1: String,
    #[serde(default)]
    amount_2: String,
    #[serde(default)]
    descriptor_code: String,
}

async fn verify_microdeposits(
    State(emulator): State<StripeEmulator>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<MicrodepositsAnswer>,
) -> Html<String> {
    let ctx = Ctx {
        caller: Caller::Secret,
        request_id: super::ids::new_id("req"),
        idempotency_key: None,
    };
    let params = if form.descriptor_code.trim().is_empty() {
        serde_json::json!({ "amounts": [form.amount_1.trim(), form.amount_2.trim()] })
    } else {
        serde_json::json!({ "descriptor_code": form.descriptor_code.trim() })
    };
    let verified = emulator.transact(&ctx, |tx| {
        let intent = tx.store.find("payment_intent", "payment_intent", &id)?;
        super::bank_accounts::verify_microdeposits(tx, intent, &super::form::Params(params))
    });
    match verified {
        Ok(_) => Html(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bank account verified</title></head>\
             <body><main><h1>Bank account verified</h1><p>The debit is on its way to your bank. You can close this page.</p></main></body></html>"
                .to_owned(),
        ),
        Err(e) => Html(microdeposits_form(&escape(&id), &escape(&e.message))),
    }
}
