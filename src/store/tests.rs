use chrono::{Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::domain::{parse_application, parse_push_credential};

fn app() -> AppKey {
    AppKey {
        environment_id: Uuid::new_v4(),
        application_id: Uuid::new_v4(),
    }
}

fn hms(client_id: &str) -> PushCredential {
    let body = json!({"type":"HMS","clientId":client_id,"clientSecret":"s"});
    parse_push_credential(body.as_object().unwrap(), Default::default()).unwrap()
}

fn legacy() -> PushCredential {
    PushCredential::legacy_fcm(Secret::new("k"))
}

fn application(ty: &str, grants: &[&str]) -> ApplicationSpec {
    let method = if ty == "WORKER" {
        "CLIENT_SECRET_BASIC"
    } else {
        "NONE"
    };
    let body = json!({"name":"a","enabled":true,"protocol":"OPENID_CONNECT","type":ty,"grantTypes":grants,"tokenEndpointAuthMethod":method});
    parse_application(body.as_object().unwrap(), false).unwrap()
}

/// Creates an application of type `ty` with `grants` in `environment_id`.
fn add_application(
    store: &Store,
    environment_id: Uuid,
    ty: &str,
    grants: &[&str],
) -> ApplicationView {
    store
        .create_application(environment_id, application(ty, grants), Utc::now())
        .unwrap()
}

fn environment() -> EnvironmentSpec {
    EnvironmentSpec::auto_provisioned(Uuid::new_v4())
}

#[test]
fn a_second_credential_of_the_same_type_is_refused() {
    let store = Store::new();
    let app = app();
    store.create(app, hms("a"), Utc::now()).unwrap();
    assert_eq!(
        store.create(app, hms("b"), Utc::now()),
        Err(StoreError::DuplicateType(CredentialType::Hms))
    );
    store.create(app, legacy(), Utc::now()).unwrap();
    assert_eq!(store.list(app, Utc::now()).unwrap().len(), 2);
}

#[test]
fn credentials_are_listed_in_creation_order_per_application() {
    let store = Store::new();
    let (one, other) = (app(), app());
    let first = store.create(one, hms("a"), Utc::now()).unwrap();
    let second = store.create(one, legacy(), Utc::now()).unwrap();
    store.create(other, hms("c"), Utc::now()).unwrap();
    let ids: Vec<Uuid> = store
        .list(one, Utc::now())
        .unwrap()
        .iter()
        .map(|view| view.id)
        .collect();
    assert_eq!(ids, vec![first.id, second.id]);
}

#[test]
fn replace_keeps_id_and_created_at_and_never_moves_updated_at_back() {
    let store = Store::new();
    let app = app();
    let now = Utc::now();
    let created = store.create(app, hms("a"), now).unwrap();
    let replaced = store
        .replace(app, created.id, hms("b"), now - Duration::hours(1))
        .unwrap();
    assert_eq!(
        (replaced.id, replaced.created_at),
        (created.id, created.created_at)
    );
    assert_eq!(replaced.updated_at, now);
    assert_eq!(replaced.client_id.as_deref(), Some("b"));
    let later = store
        .replace(app, created.id, hms("c"), now + Duration::seconds(1))
        .unwrap();
    assert_eq!(later.updated_at, now + Duration::seconds(1));
}

#[test]
fn replace_refuses_a_type_change_and_an_unknown_id() {
    let store = Store::new();
    let app = app();
    let created = store.create(app, hms("a"), Utc::now()).unwrap();
    assert_eq!(
        store.replace(app, created.id, legacy(), Utc::now()),
        Err(StoreError::TypeChanged(CredentialType::Hms))
    );
    assert_eq!(
        store.replace(app, Uuid::new_v4(), hms("b"), Utc::now()),
        Err(StoreError::NotFound)
    );
}

#[test]
fn a_credential_is_only_found_through_its_own_application() {
    let store = Store::new();
    let (owner, stranger) = (app(), app());
    let created = store.create(owner, hms("a"), Utc::now()).unwrap();
    assert_eq!(
        store.get(stranger, created.id, Utc::now()),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete(stranger, created.id, Utc::now()),
        Err(StoreError::NotFound)
    );
    assert_eq!(store.delete(owner, created.id, Utc::now()), Ok(()));
    assert_eq!(
        store.delete(owner, created.id, Utc::now()),
        Err(StoreError::NotFound)
    );
}

#[test]
fn auto_tenancy_provisions_unknown_ids_as_a_native_app_that_shows_in_listings() {
    let store = Store::new();
    let app = app();
    assert_eq!(store.list(app, Utc::now()).unwrap(), vec![]);
    let environments = store.list_environments();
    assert_eq!(
        environments.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![app.environment_id]
    );
    let applications = store
        .list_applications(app.environment_id, Utc::now())
        .unwrap();
    assert_eq!(applications.len(), 1);
    assert!(applications[0].spec.is_native());
}

#[test]
fn strict_tenancy_knows_only_what_was_created() {
    let store = Store::with_tenancy(Tenancy::Strict);
    let app = app();
    assert_eq!(store.list(app, Utc::now()), Err(StoreError::NotFound));
    assert_eq!(
        store.create(app, hms("a"), Utc::now()),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.get_environment(app.environment_id, Utc::now()),
        Err(StoreError::NotFound)
    );
    assert!(store.list_environments().is_empty());

    let env = store.create_environment(environment(), None, Utc::now());
    let created = add_application(&store, env.id, "NATIVE_APP", &["AUTHORIZATION_CODE"]);
    store.create(created.key, hms("a"), Utc::now()).unwrap();
    assert_eq!(store.list(created.key, Utc::now()).unwrap().len(), 1);
}

#[test]
fn push_credentials_need_a_native_application() {
    let store = Store::with_tenancy(Tenancy::Strict);
    let env = store.create_environment(environment(), None, Utc::now());
    let worker = add_application(&store, env.id, "WORKER", &["CLIENT_CREDENTIALS"]);
    assert_eq!(
        store.create(worker.key, hms("a"), Utc::now()),
        Err(StoreError::NotNativeApp)
    );
}

#[test]
fn deleting_a_parent_removes_its_credentials_and_auto_does_not_bring_it_back() {
    for tenancy in [Tenancy::Auto, Tenancy::Strict] {
        let store = Store::with_tenancy(tenancy);
        let env = store.create_environment(environment(), None, Utc::now());
        let native = add_application(&store, env.id, "NATIVE_APP", &["AUTHORIZATION_CODE"]);
        let credential = store.create(native.key, hms("a"), Utc::now()).unwrap();

        store.delete_application(native.key).unwrap();
        assert_eq!(
            store.get(native.key, credential.id, Utc::now()),
            Err(StoreError::NotFound),
            "{tenancy:?}"
        );
        assert_eq!(
            store.get_application(native.key, Utc::now()),
            Err(StoreError::NotFound),
            "{tenancy:?}"
        );

        store.delete_environment(env.id).unwrap();
        assert_eq!(
            store.get_environment(env.id, Utc::now()),
            Err(StoreError::NotFound),
            "{tenancy:?}"
        );
        assert_eq!(store.delete_environment(env.id), Err(StoreError::NotFound));
    }
}

#[test]
fn workers_get_a_secret_and_authenticate_with_it() {
    let store = Store::new();
    let env = store.create_environment(environment(), None, Utc::now());
    let worker = add_application(&store, env.id, "WORKER", &["CLIENT_CREDENTIALS"]);
    let secret = store.application_secret(worker.key, Utc::now()).unwrap();
    assert_eq!(secret.expose().len(), 64);
    let client_id = worker.key.application_id.to_string();
    assert!(
        store
            .authenticate_client(env.id, &client_id, secret.expose())
            .is_ok()
    );
    assert_eq!(
        store.authenticate_client(env.id, &client_id, "wrong"),
        Err(ClientError::InvalidClient)
    );
    assert_eq!(
        store.authenticate_client(Uuid::new_v4(), &client_id, secret.expose()),
        Err(ClientError::InvalidClient)
    );

    let rotated = store.regenerate_secret(worker.key, Utc::now()).unwrap();
    assert_ne!(rotated, secret);
    assert_eq!(
        store.authenticate_client(env.id, &client_id, secret.expose()),
        Err(ClientError::InvalidClient)
    );

    let native = add_application(&store, env.id, "NATIVE_APP", &["AUTHORIZATION_CODE"]);
    assert_eq!(
        store.application_secret(native.key, Utc::now()),
        Err(StoreError::NoSecret)
    );
    let no_grant = add_application(&store, env.id, "WORKER", &["AUTHORIZATION_CODE"]);
    let secret = store.application_secret(no_grant.key, Utc::now()).unwrap();
    assert_eq!(
        store.authenticate_client(
            env.id,
            &no_grant.key.application_id.to_string(),
            secret.expose()
        ),
        Err(ClientError::UnauthorizedClient)
    );
}

#[test]
fn strict_grants_cover_own_created_and_seeded_environments() {
    let store = Store::with_tenancy(Tenancy::Strict);
    let admin = store
        .insert_environment(Uuid::new_v4(), environment(), Utc::now())
        .id;
    let other = store
        .insert_environment(Uuid::new_v4(), environment(), Utc::now())
        .id;
    let created = store
        .create_environment(environment(), Some(admin), Utc::now())
        .id;
    assert!(store.may_manage(admin, admin));
    assert!(store.may_manage(admin, created));
    assert!(!store.may_manage(admin, other));
    assert!(!store.may_manage(other, created));

    let granted = store
        .insert_environment(Uuid::new_v4(), environment(), Utc::now())
        .id;
    store.grant(granted, &Grants::Some(vec![other]));
    assert!(store.may_manage(granted, other) && !store.may_manage(granted, admin));
    let root = store
        .insert_environment(Uuid::new_v4(), environment(), Utc::now())
        .id;
    store.grant(root, &Grants::All);
    assert!(store.may_manage(root, other) && store.may_manage(root, created));

    assert!(
        Store::new().may_manage(other, admin),
        "auto tenancy: any environment's token manages all"
    );
}

#[test]
fn an_application_cannot_change_type() {
    let store = Store::new();
    let env = store.create_environment(environment(), None, Utc::now());
    let native = add_application(&store, env.id, "NATIVE_APP", &["AUTHORIZATION_CODE"]);
    assert_eq!(
        store.replace_application(
            native.key,
            application("WORKER", &["CLIENT_CREDENTIALS"]),
            Utc::now()
        ),
        Err(StoreError::ApplicationTypeChanged("NATIVE_APP"))
    );
}

#[test]
fn every_change_is_announced_once_and_reads_of_known_things_are_not() {
    let store = Store::with_tenancy(Tenancy::Auto);
    let changes = store.watch_changes();
    let now = Utc::now();
    let app = app();
    let version = || *changes.borrow();
    let mut expected = 0;
    let mut step = |name: &str, changed: bool, version: u64| {
        expected += u64::from(changed);
        assert_eq!(version, expected, "after {name}");
    };
    store.get_application(app, now).unwrap();
    step("auto-provisioning on a read", true, version());
    store.get_application(app, now).unwrap();
    store.list(app, now).unwrap();
    store.list_environments();
    step("reads of known things", false, version());
    let credential = store.create(app, hms("a"), now).unwrap();
    step("create credential", true, version());
    store.replace(app, credential.id, hms("b"), now).unwrap();
    step("replace credential", true, version());
    store.delete(app, credential.id, now).unwrap();
    step("delete credential", true, version());
    let _ = store.delete(app, credential.id, now);
    step("a refused delete", false, version());
    let environment = store.create_environment(environment(), None, now);
    step("create environment", true, version());
    store
        .replace_environment(environment.id, self::environment(), now)
        .unwrap();
    step("replace environment", true, version());
    let worker = store
        .create_application(
            environment.id,
            application("WORKER", &["CLIENT_CREDENTIALS"]),
            now,
        )
        .unwrap();
    step("create application", true, version());
    store
        .replace_application(
            worker.key,
            application("WORKER", &["CLIENT_CREDENTIALS"]),
            now,
        )
        .unwrap();
    step("replace application", true, version());
    store.regenerate_secret(worker.key, now).unwrap();
    step("regenerate secret", true, version());
    store.application_secret(worker.key, now).unwrap();
    step("read secret", false, version());
    store.grant(environment.id, &Grants::All);
    step("grant", true, version());
    store.delete_application(worker.key).unwrap();
    step("delete application", true, version());
    store.delete_environment(environment.id).unwrap();
    step("delete environment", true, version());
    store.insert_environment(environment.id, self::environment(), now);
    step("insert environment", true, version());
}

/// Random ids and ids that count (as the benchmark fill makes them) spread evenly over the
/// shards, and each application is found, replaced and removed in its own.
#[test]
fn applications_spread_over_the_shards_and_are_found_in_them() {
    let now = Utc::now();
    let counting = (0..6_400_u128).map(|n| Uuid::from_u128(0x4000_8000_0000_0000_0000 | n));
    let random = (0..6_400).map(|_| Uuid::new_v4());
    for ids in [counting.collect::<Vec<_>>(), random.collect()] {
        let mut applications = Applications::default();
        for (seq, id) in ids.iter().enumerate() {
            let application = Application::new(seq as u64, Attributes::AutoProvisioned, now);
            assert!(applications.insert(*id, application).is_none());
        }
        assert_eq!(applications.len(), ids.len());
        assert_eq!(applications.iter().count(), ids.len());
        let average = ids.len() / Applications::SHARDS;
        for shard in &applications.0 {
            assert!(
                (average / 2..=average * 2).contains(&shard.len()),
                "{} of {average} on average",
                shard.len()
            );
        }
        for (seq, id) in ids.iter().enumerate() {
            assert_eq!(applications.get(id).map(|a| a.seq), Some(seq as u64));
        }
        let replaced = Application::new(u64::MAX, Attributes::AutoProvisioned, now);
        assert_eq!(
            applications.insert(ids[7], replaced).map(|a| a.seq),
            Some(7)
        );
        assert_eq!(applications.get(&ids[7]).map(|a| a.seq), Some(u64::MAX));
        for id in &ids[..100] {
            assert!(applications.swap_remove(id).is_some());
            assert!(applications.get(id).is_none());
        }
        assert_eq!(applications.len(), ids.len() - 100);
        assert!(applications.values().all(|a| a.seq != 3));
    }
}
