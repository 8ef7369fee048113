terraform {
  # As rotation-function's (../rotation-function/versions.tf says why): the provider is declared
  # here too, so that whatever configures it (a root, a test's mock provider) reaches that module.
  required_version = ">= 1.9"

  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100" }
  }
}
