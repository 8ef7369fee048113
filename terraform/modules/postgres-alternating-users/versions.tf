terraform {
  # 1.9: variable validations may refer to other variables (timeout >= minimum_timeout).
  required_version = ">= 1.9"

  required_providers {
    # 5.100 is what the tests use; nodejs22.x, logging_config and rotate_immediately also need a
    # recent 5.x. 6.x is not tested here.
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
