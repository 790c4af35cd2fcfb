# A native application and its three push credentials, applied against pingone-push-mock.
# The provider reads its connection from the environment (see compose.yaml and the README's
# "Use with Terraform"): PINGONE_CLIENT_ID, PINGONE_CLIENT_SECRET, PINGONE_ENVIRONMENT_ID,
# PINGONE_REGION_CODE, PINGONE_API_SERVICE_HOSTNAME and PINGONE_AUTH_SERVICE_HOSTNAME.

terraform {
  required_providers {
    pingone = {
      source  = "pingidentity/pingone"
      version = ">= 1.0"
    }
  }
}

provider "pingone" {}

variable "environment_id" {
  description = "The environment the application goes in (the seed's \"Mobile app\")."
  type        = string
  default     = "f59504de-3c45-4a37-8d70-d5ad75dfaaa0"
}

resource "pingone_application" "authenticator" {
  environment_id = var.environment_id
  name           = "Authenticator"
  enabled        = true

  oidc_options = {
    type                       = "NATIVE_APP"
    grant_types                = ["AUTHORIZATION_CODE"]
    response_types             = ["CODE"]
    token_endpoint_auth_method = "NONE"
    pkce_enforcement           = "S256_REQUIRED"
    redirect_uris              = ["com.example.authenticator://callback"]

    mobile_app = {
      bundle_id           = "com.example.authenticator"
      package_name        = "com.example.authenticator"
      huawei_app_id       = "108046495"
      huawei_package_name = "com.example.authenticator"
    }
  }
}

# Throwaway test material: the .p8 key and the service account sign nothing anywhere.
resource "pingone_mfa_application_push_credential" "apns" {
  environment_id = var.environment_id
  application_id = pingone_application.authenticator.id

  apns = {
    key               = "1U2ZP3G45W"
    team_id           = "ABCXYZ1234"
    token_signing_key = file("${path.module}/apns-signing-key.p8")
  }
}

resource "pingone_mfa_application_push_credential" "fcm" {
  environment_id = var.environment_id
  application_id = pingone_application.authenticator.id

  fcm = {
    google_service_account_credentials = file("${path.module}/service-account.json")
  }
}

resource "pingone_mfa_application_push_credential" "hms" {
  environment_id = var.environment_id
  application_id = pingone_application.authenticator.id

  hms = {
    client_id     = "108046495"
    client_secret = "hms-client-secret-change-me"
  }
}

output "application_id" {
  value = pingone_application.authenticator.id
}

output "push_credential_ids" {
  value = [
    pingone_mfa_application_push_credential.apns.id,
    pingone_mfa_application_push_credential.fcm.id,
    pingone_mfa_application_push_credential.hms.id,
  ]
}
