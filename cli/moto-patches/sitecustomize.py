# Loaded by Python at start-up (sitecustomize) in the moto_server that cli/aws-emulator.ts starts,
# and only there: it is on that process's PYTHONPATH alone.
#
# moto 5.2.1 decides whether a new hosted zone is private only from
# HostedZoneConfig.PrivateZone (moto/route53/responses.py, create_hosted_zone). AWS makes a
# zone private when CreateHostedZone carries a VPC element ("If you want to create a private
# hosted zone, specify the VPC", Route 53 API reference, CreateHostedZone), and the Terraform AWS
# provider sends only that element for aws_route53_zone with a vpc block. Without this, moto
# creates the API's private zone as a public one, every plan wants to associate the VPC again,
# and the second apply fails with PublicZoneVPCAssociation.
try:
    from moto.route53.responses import Route53 as _Route53

    _get_bool_param = _Route53._get_bool_param

    def _private_when_a_vpc_is_given(self, name, *args, **kwargs):
        if name == "HostedZoneConfig.PrivateZone" and self._get_param("VPC.VPCId"):
            return True
        return _get_bool_param(self, name, *args, **kwargs)

    _Route53._get_bool_param = _private_when_a_vpc_is_given
except Exception:  # another moto: leave it as it is
    pass

# moto 5.2.1 evaluates bucket policies with no request context, and takes a condition on a key
# the request does not carry as met (moto/iam/access_control.py, IAMPolicyStatement
# ._check_conditions, called from is_action_permitted by Bucket.get_permission in
# moto/s3/models.py with no condition values). So a bucket policy that denies only requests
# without TLS (Deny with Condition Bool aws:SecureTransport=false, as kubeplane's state bucket
# has) denies every request. On AWS a condition on a key the request does not carry is not met
# (except Null and the ...IfExists operators), and a statement whose condition is not met does
# not apply ("Policy evaluation logic", "Condition operators", IAM User Guide). Here a Deny with a
# condition on a key moto did not supply does not apply; everything else is left as moto has it.
# The emulator speaks only HTTP and supplies no aws:SecureTransport, so such a Deny never applies
# in it: kubeplane's tests read the policy back instead.
try:
    from moto.iam.access_control import IAMPolicyStatement as _Statement, PermissionResult as _Permission

    _is_action_permitted = _Statement.is_action_permitted

    def _unknown_keys(condition, values):
        for operator, keys in condition.items():
            if operator == "Null" or operator.endswith("IfExists"):
                continue
            for key in keys:
                if not values or key not in values:
                    return True
        return False

    def _deny_applies_only_on_known_keys(self, action, resource="*", principal=None, incoming_condition_values=None):
        condition = self._statement.get("Condition")
        if self._statement.get("Effect") == "Deny" and condition and _unknown_keys(condition, incoming_condition_values):
            return _Permission.NEUTRAL
        return _is_action_permitted(self, action, resource, principal, incoming_condition_values)

    _Statement.is_action_permitted = _deny_applies_only_on_known_keys
except Exception:  # another moto: leave it as it is
    pass
