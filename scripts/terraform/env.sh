#!/usr/bin/env bash
# Source this file: it points Terraform at the machine's provider mirror when there is one, and at
# the public registry otherwise. It writes a CLI config of its own (TF_CLI_CONFIG_FILE) so nothing
# in the user's ~/.terraformrc is changed, and shares one plugin cache between every root.
#   TF_PLUGIN_MIRROR=/path   use this mirror (a folder holding registry.terraform.io/hashicorp/…)
_tf_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1

_tf_find_mirror() {
  if [ -n "${TF_PLUGIN_MIRROR:-}" ]; then
    [ -d "$TF_PLUGIN_MIRROR/registry.terraform.io/hashicorp/aws" ] && { echo "$TF_PLUGIN_MIRROR"; return; }
    echo "TF_PLUGIN_MIRROR=$TF_PLUGIN_MIRROR has no registry.terraform.io/hashicorp/aws" >&2
    return 1
  fi
  local candidate
  for candidate in /opt/tf-plugins /usr/share/terraform/plugins /usr/local/share/terraform/plugins \
    "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins"; do
    if [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then echo "$candidate"; return; fi
  done
}

_tf_config_dir="$_tf_root/.local/terraform"
mkdir -p "$_tf_config_dir"
if TF_MIRROR=$(_tf_find_mirror) && [ -n "$TF_MIRROR" ]; then
  export TF_MIRROR
  cat >"$_tf_config_dir/cli.tfrc" <<CONFIG
# Written by scripts/terraform/env.sh: HashiCorp providers from the machine's mirror, others direct.
provider_installation {
  filesystem_mirror {
    path    = "$TF_MIRROR"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CONFIG
else
  export TF_MIRROR=""
  # No mirror: the public registry, with a shared download cache so each root fetches once.
  mkdir -p "$_tf_config_dir/plugin-cache"
  cat >"$_tf_config_dir/cli.tfrc" <<CONFIG
# Written by scripts/terraform/env.sh: no provider mirror found, providers from the public registry.
plugin_cache_dir = "$_tf_config_dir/plugin-cache"
CONFIG
fi
export TF_CLI_CONFIG_FILE="$_tf_config_dir/cli.tfrc"
unset -f _tf_find_mirror
