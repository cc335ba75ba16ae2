"""X-ray attenuation physics shared by the generator and the material classifier."""
