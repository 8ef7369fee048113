# With `endpoint` set, every AWS service the example uses goes to a local emulator (moto) with
# throwaway credentials; left empty, this is plain AWS with your usual credentials.
locals {
  local_emulator = var.endpoint != ""
}

provider "aws" {
  region = var.region

  access_key                  = local.local_emulator ? "test" : null
  secret_key                  = local.local_emulator ? "test" : null
  skip_credentials_validation = local.local_emulator
  skip_metadata_api_check     = local.local_emulator

  dynamic "endpoints" {
    for_each = local.local_emulator ? [var.endpoint] : []
    content {
      cloudwatch     = endpoints.value
      cloudwatchlogs = endpoints.value
      eventbridge    = endpoints.value
      iam            = endpoints.value
      kms            = endpoints.value
      lambda         = endpoints.value
      secretsmanager = endpoints.value
      sns            = endpoints.value
      sts            = endpoints.value
    }
  }
}
