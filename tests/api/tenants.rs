//! The operator's side (`services::tenants`, `services::users`): tenants and users made,
//! renamed, switched between, reset and deactivated by a platform admin.
use crate::helpers::TestApp;
use axum::http::StatusCode;
use offerdeck::model::Environment;

const PW: &str = "password-123";

db_tests!(admin_manages_tenants_and_users,);

// Scenario: an admin creates a tenant and a user in it; that user signs in and works there;
// a merchant cannot reach the admin functions.
async fn admin_manages_tenants_and_users(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let operator = app.session("admin@op.test", PW).await;
    let bad = operator.sfn("admin/tenants/create", &[("name", "  ")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["fields"]["name"], "is required");
    let t = operator.sfn("admin/tenants/create", &[("name", "Globex")]).await.json();
    let tid = t["id"].as_str().unwrap().to_string();
    let form = [("email", "new@globex.test"), ("password", "short"), ("tenant_id", tid.as_str()), ("role", "merchant")];
    let weak = operator.sfn("admin/users/create", &form).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.json()["fields"]["password"].as_str().unwrap().contains("at least"));
    let form = [("email", "new@globex.test"), ("password", "long-enough-pw"), ("tenant_id", tid.as_str()), ("role", "merchant")];
    assert_eq!(operator.sfn("admin/users/create", &form).await.status, StatusCode::OK);
    let dup = operator.sfn("admin/users/create", &form).await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.json()["fields"]["email"].as_str().unwrap().contains("taken"));

    let member = app.session("new@globex.test", "long-enough-pw").await;
    let info = member.sfn("session", &[]).await.json();
    assert_eq!(info["current_tenant"]["name"], "Globex");
    let created = member.sfn("products/create", &[("name", "Globex Pro"), ("description", "")]).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(app.product_count(&tid, Environment::Preview).await, 1);

    // Rename, then the user in two tenants switches between them.
    assert_eq!(operator.sfn("admin/tenants/rename", &[("id", &tid), ("name", "Globex Corp")]).await.status, StatusCode::OK);
    let other = operator.sfn("admin/tenants/create", &[("name", "Initech")]).await.json();
    let oid = other["id"].as_str().unwrap();
    let users = operator.sfn("admin/users", &[]).await.json();
    let uid = users.as_array().unwrap().iter().find(|u| u["email"] == "new@globex.test").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(operator.sfn("admin/users/membership", &[("user_id", &uid), ("tenant_id", oid), ("role", "marketer")]).await.status, StatusCode::OK);
    assert_eq!(member.sfn("switch_tenant", &[("tenant_id", oid)]).await.status, StatusCode::OK);
    let info = member.sfn("session", &[]).await.json();
    assert_eq!(info["current_tenant"]["name"], "Initech");
    assert_eq!(info["current_tenant"]["role"], "marketer");
    assert_eq!(info["tenants"].as_array().unwrap().len(), 2);
    let foreign = app.sfn("admin/tenants/create", &[("name", "Nope")], None).await;
    assert_eq!(foreign.status, StatusCode::UNAUTHORIZED);

    // Non-admins get 403 from every admin function.
    for (ep, form) in [("admin/tenants", vec![]), ("admin/users", vec![]), ("admin/tenants/create", vec![("name", "X")])] {
        assert_eq!(member.sfn(ep, &form).await.status, StatusCode::FORBIDDEN, "{ep}");
    }

    // Password reset and deactivation take effect at once.
    assert_eq!(operator.sfn("admin/users/password", &[("user_id", &uid), ("password", "another-password")]).await.status, StatusCode::OK);
    assert_eq!(app.sfn("login", &[("email", "new@globex.test"), ("password", "long-enough-pw")], None).await.status, StatusCode::UNAUTHORIZED);
    app.login("new@globex.test", "another-password").await;
    assert_eq!(operator.sfn("admin/users/active", &[("user_id", &uid), ("active", "false")]).await.status, StatusCode::OK);
    assert_eq!(member.sfn("session", &[]).await.body, "null", "a deactivated user's session ends");
    assert_eq!(app.sfn("login", &[("email", "new@globex.test"), ("password", "another-password")], None).await.status, StatusCode::UNAUTHORIZED);
}
