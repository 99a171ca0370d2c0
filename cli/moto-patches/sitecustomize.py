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
