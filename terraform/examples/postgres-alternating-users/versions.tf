terraform {
  # 1.11: write-only arguments (secret_string_wo), so no initial value is kept in the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
