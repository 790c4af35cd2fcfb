use chrono::Utc;
use serde_json::json;

use super::*;
use crate::domain::{Secret, parse_application};
use crate::store::AppKey;
use crate::store::Tenancy;

fn legacy() -> PushCredential {
    PushCredential::legacy_fcm(Secret::new("server-key"))
}

fn record(id: Uuid) -> CredentialRecord {
    let now = Utc::now();
    CredentialRecord {
        id,
        created_at: now,
        updated_at: now,
        credential: legacy(),
    }
}

fn app_record(id: Uuid, credentials: Vec<CredentialRecord>) -> ApplicationRecord {
    let now = Utc::now();
    ApplicationRecord {
        id,
        spec: ApplicationSpec::auto_provisioned(id),
        client_secret: None,
        created_at: now,
        updated_at: now,
        push_credentials: credentials,
    }
}

fn environment_record(id: Uuid, applications: Vec<ApplicationRecord>) -> EnvironmentRecord {
    let now = Utc::now();
    EnvironmentRecord {
        id,
        spec: EnvironmentSpec::auto_provisioned(id),
        created_at: now,
        updated_at: now,
        manages: Grants::Own,
        applications,
    }
}

fn one_app(environment: Uuid, application: Uuid, credentials: Vec<CredentialRecord>) -> Snapshot {
    Snapshot {
        environments: vec![environment_record(
            environment,
            vec![app_record(application, credentials)],
        )],
    }
}

fn worker() -> ApplicationSpec {
    let body = json!({"name":"w","enabled":true,"protocol":"OPENID_CONNECT","type":"WORKER",
        "grantTypes":["CLIENT_CREDENTIALS"],"tokenEndpointAuthMethod":"CLIENT_SECRET_BASIC"});
    parse_application(body.as_object().unwrap(), false).unwrap()
}

#[test]
fn a_snapshot_restores_to_the_same_state_in_creation_order() {
    let store = Store::new();
    let now = Utc::now();
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    let app = AppKey {
        environment_id: second,
        application_id: Uuid::new_v4(),
    };
    store.get_environment(first, now).unwrap();
    store.create(app, legacy(), now).unwrap();
    let worker = store.create_application(first, worker(), now).unwrap();
    let snapshot = store.snapshot();
    let ids: Vec<Uuid> = snapshot.environments.iter().map(|e| e.id).collect();
    assert_eq!(ids, [first, second], "creation order, not id order");
    let other = Store::new();
    other.restore(snapshot.clone()).unwrap();
    assert_eq!(other.snapshot(), snapshot);
    assert_eq!(other.list(app, now), store.list(app, now));
    assert_eq!(
        other.application_secret(worker.key, now),
        store.application_secret(worker.key, now),
        "the client secret is part of the state"
    );
}

#[test]
fn grants_round_trip_from_the_managers_side() {
    let store = Store::with_tenancy(Tenancy::Strict);
    let now = Utc::now();
    let (admin, manager, target) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for id in [admin, manager, target] {
        store.insert_environment(id, EnvironmentSpec::auto_provisioned(id), now);
    }
    store.grant(admin, &Grants::All);
    store.grant(manager, &Grants::Some(vec![target]));
    let snapshot = store.snapshot();
    let grants: Vec<&Grants> = snapshot.environments.iter().map(|e| &e.manages).collect();
    assert_eq!(
        grants,
        [&Grants::All, &Grants::Some(vec![target]), &Grants::Own]
    );
    let other = Store::with_tenancy(Tenancy::Strict);
    other.restore(snapshot).unwrap();
    assert!(other.may_manage(admin, manager) && other.may_manage(manager, target));
    assert!(!other.may_manage(target, manager) && !other.may_manage(manager, admin));
}

#[test]
fn a_snapshot_with_repeated_ids_or_types_changes_nothing() {
    let store = Store::new();
    let (environment, application, id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    store
        .restore(one_app(environment, application, vec![record(id)]))
        .unwrap();
    let before = store.snapshot();
    let two_of_a_type = one_app(
        environment,
        application,
        vec![record(Uuid::new_v4()), record(Uuid::new_v4())],
    );
    assert!(matches!(
        store.restore(two_of_a_type),
        Err(StoreError::DuplicateType(_))
    ));
    let mut same_id_twice = one_app(environment, application, vec![record(id)]);
    same_id_twice.environments[0]
        .applications
        .push(app_record(Uuid::new_v4(), vec![record(id)]));
    assert_eq!(
        store.restore(same_id_twice),
        Err(StoreError::DuplicateId(id))
    );
    let mut credentials_on_a_worker = one_app(environment, application, vec![record(id)]);
    credentials_on_a_worker.environments[0].applications[0].spec = worker();
    assert_eq!(
        store.restore(credentials_on_a_worker),
        Err(StoreError::NotNativeApp)
    );
    assert_eq!(store.snapshot(), before);
}

#[test]
fn one_application_id_may_be_used_in_two_environments() {
    let store = Store::new();
    let application = Uuid::new_v4();
    let mut snapshot = one_app(Uuid::new_v4(), application, vec![]);
    snapshot
        .environments
        .extend(one_app(Uuid::new_v4(), application, vec![]).environments);
    store.restore(snapshot.clone()).unwrap();
    assert_eq!(store.snapshot(), snapshot);
}

#[test]
fn removing_an_environment_leaves_the_others_and_forgets_its_deleted_ids() {
    let store = Store::new();
    let (gone, kept) = (Uuid::new_v4(), Uuid::new_v4());
    let mut snapshot = one_app(gone, Uuid::new_v4(), vec![record(Uuid::new_v4())]);
    snapshot
        .environments
        .extend(one_app(kept, Uuid::new_v4(), vec![]).environments);
    store.restore(snapshot).unwrap();
    let version = *store.watch_changes().borrow();
    assert_eq!(
        store.remove_environment(gone),
        Removed {
            environments: 1,
            applications: 1,
            push_credentials: 1
        }
    );
    assert_eq!(*store.watch_changes().borrow(), version + 1);
    assert_eq!(store.remove_environment(gone), Removed::default());
    let ids: Vec<Uuid> = store.snapshot().environments.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![kept]);
    store.delete_environment(kept).unwrap();
    assert!(store.get_environment(kept, Utc::now()).is_err(), "deleted");
    store.remove_environment(kept);
    assert!(
        store.get_environment(kept, Utc::now()).is_ok(),
        "a reset id is provisioned again"
    );
    let cleared = store.clear();
    assert_eq!((cleared.environments, cleared.applications), (1, 0));
    assert_eq!(store.snapshot(), Snapshot::default());
}
