//! The HTTP surface: every route in one table, thin handlers, and the request plumbing
//! (request ids, authentication, JSON bodies) they share.

pub mod audit;
pub mod authentication;
pub mod certificates;
pub mod consignments;
pub mod establishment_csv;
pub mod establishment_imports;
pub mod establishments;
pub mod events;
pub mod health;
pub mod idempotency;
pub mod inspections;
pub mod json_body;
pub mod keys;
pub mod me;
pub mod organizations;
pub mod paging;
pub mod protocols;
pub mod request_context;
pub mod verification;
pub mod webhooks;

use crate::error::ApiError;
use actix_web::http::Method;
use actix_web::web;

/// Declares the routes once: registers them with actix and lists them in `ROUTES`, which the
/// contract test compares with `openapi.yaml`. A matched path with an unlisted method gets a
/// 405 problem with an `Allow` header.
macro_rules! routes {
    ($( $path:literal => { $( $method:ident => $handler:path ),+ $(,)? } ),* $(,)?) => {
        /// Every (method, path) the service answers, in OpenAPI path syntax.
        pub const ROUTES: &[(&str, &str)] = &[ $( $( (stringify!($method), $path), )+ )* ];

        /// Registers every route on an actix app.
        pub fn configure(config: &mut web::ServiceConfig) {
            $(
                config.service(
                    web::resource($path)
                        $( .route(web::method(Method::$method).to($handler)) )+
                        .default_service(web::to(|| async {
                            Err::<actix_web::HttpResponse, ApiError>(ApiError::MethodNotAllowed {
                                allowed: &[$( stringify!($method) ),+],
                            })
                        })),
                );
            )*
        }
    };
}

// actix tries resources in this order, one pattern at a time: the busiest come first. Where
// two patterns could match the same path (`{number}.pdf` and `{number}`), the order decides.
routes! {
    "/v1/verify/{number}" => { GET => verification::verify },
    "/v1/consignments" => { GET => consignments::list, POST => consignments::create },
    "/v1/consignments/{id}" => { GET => consignments::show, PATCH => consignments::update },
    "/health/live" => { GET => health::live },
    "/health/ready" => { GET => health::ready },
    "/metrics" => { GET => health::metrics },
    "/openapi.yaml" => { GET => health::openapi },
    "/v1/me" => { GET => me::show },
    "/v1/organizations" => { GET => organizations::list, POST => organizations::create },
    "/v1/organizations/{id}" => { GET => organizations::show },
    "/v1/organizations/{id}/api-keys" => { GET => keys::list, POST => keys::create },
    "/v1/api-keys/{id}" => { DELETE => keys::revoke },
    "/v1/audit-events" => { GET => audit::list },
    "/v1/audit-events/verification" => { GET => audit::verify },
    "/v1/audit-checkpoints" => { GET => audit::checkpoints },
    "/v1/events" => { GET => events::list },
    "/v1/establishments" => { GET => establishments::list, POST => establishments::create },
    "/v1/establishments/{kind}/{code}" => { GET => establishments::show, PATCH => establishments::update },
    "/v1/establishments/{kind}/{code}/status-changes" => { POST => establishments::add_status_change },
    "/v1/establishments/{kind}/{code}/authorizations" => { POST => establishments::add_authorization },
    "/v1/establishment-imports" => { POST => establishment_imports::create },
    "/v1/protocols" => { GET => protocols::list },
    "/v1/protocols/{code}" => { GET => protocols::show },
    "/v1/consignments/{id}/compliance-check" => { POST => consignments::check },
    "/v1/consignments/{id}/submit" => { POST => consignments::submit },
    "/v1/consignments/{id}/cancel" => { POST => consignments::cancel },
    "/v1/compliance-checks" => { POST => consignments::check_unsaved },
    "/v1/inspection-queue" => { GET => inspections::queue },
    "/v1/consignments/{id}/inspections" => { POST => inspections::inspect },
    "/v1/consignments/{id}/approve" => { POST => inspections::approve },
    "/v1/consignments/{id}/reject" => { POST => inspections::reject },
    "/v1/consignments/{id}/return" => { POST => inspections::return_for_correction },
    "/v1/certificates" => { GET => certificates::list },
    "/v1/certificates/{number}.pdf" => { GET => certificates::pdf },
    "/v1/certificates/{number}" => { GET => certificates::show },
    "/v1/certificates/{number}/revoke" => { POST => certificates::revoke },
    "/v1/certificates/{number}/replace" => { POST => certificates::replace },
    "/v1/certificates/{number}/ephyto.xml" => { GET => certificates::ephyto },
    "/v1/certificates/{number}/qr.svg" => { GET => certificates::qr },
    "/v1/verify/{number}/certificate.pdf" => { GET => verification::pdf },
    "/v1/signing-keys" => { GET => certificates::signing_keys },
    "/v1/webhook-endpoints" => { GET => webhooks::list, POST => webhooks::create },
    "/v1/webhook-endpoints/{id}" => { DELETE => webhooks::delete },
    "/v1/webhook-endpoints/{id}/retry" => { POST => webhooks::retry },
    "/v1/webhook-endpoints/{id}/rotate-secret" => { POST => webhooks::rotate_secret },
    "/v1/webhook-deliveries" => { GET => webhooks::deliveries },
}

/// The answer for a path no route matches.
pub async fn route_not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("No route matches this path."))
}
